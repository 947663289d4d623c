"""The nightly augmentation run of scripts/nightly-augment.sh as an Airflow DAG (an example: not tested here).

Every night: PrepareJob prepares what arrived in the corpus since the last run (prepare.mode = incremental); when no
image was new the run stops there; otherwise EvaluateJob's feature classifier is trained once (the first night, so
that every night's scores compare), AugmentJob varies only the new images (augment.versions = newest) into a dated
output, and EvaluateJob scores the variations. Every job writes report.html next to its output.

Needs apache-airflow-providers-apache-spark, a `spark_default` connection naming the cluster's master, the `hdfs`
command on the worker (to read the prepared manifest), and this repository on the Airflow worker with the shaded jar
built (scripts/shaded-jar.sh). Change the paths below. A job's exit code 2 means bad input or settings (its last
log line says which), 1 a failure; Airflow's retries suit only the latter, and a rerun of a stage is safe: every job
commits its output atomically.
"""
import json
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

from airflow import DAG
from airflow.operators.python import BranchPythonOperator, PythonOperator, ShortCircuitOperator
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

REPO = Path("/opt/spark-diffusion")
JAR = str(REPO / "spark-jobs/target/spark-diffusion.jar")
CORPUS = "hdfs://nn/corpus"  # the folder-per-class tree that grows
RUN_DIR = "hdfs://nn/runs/main"  # a TrainJob run: its LATEST checkpoint makes the variations
OUT = "hdfs://nn/nightly"  # OUT/prepared and OUT/classifier are kept across nights; OUT/<run>/ is dated
RUN = "{{ ts_nodash }}Z"  # the run's dated output folder, e.g. 20261208T021500Z


def spark_defaults():
    """conf/spark-defaults.conf as a dict: the executor and driver settings the jobs were measured with."""
    settings = {}
    for line in (REPO / "conf/spark-defaults.conf").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.strip().partition(" ")
            settings[key] = value.strip()
    return settings


def job(task_id, main_class, config, *sets):
    """One spark-diffusion job through spark-submit: --config conf/JOB.conf plus --set key=value overrides."""
    args = ["--config", str(REPO / "conf" / config)]
    for setting in sets:
        args += ["--set", setting]
    return SparkSubmitOperator(task_id=task_id, application=JAR, java_class=f"io.sparkdiffusion.jobs.{main_class}",
                               application_args=args, conf=spark_defaults(), name=f"spark-diffusion-{task_id}")


def hdfs_cat(path):
    result = subprocess.run(["hdfs", "dfs", "-cat", path], capture_output=True, text=True)
    return result.stdout if result.returncode == 0 else None


def newest_version():
    """The prepared output's newest version number (0 before the first night)."""
    manifest = hdfs_cat(f"{OUT}/prepared/manifest.json")
    if manifest is None:
        return 0
    versions = json.loads(manifest).get("versions") or []
    return versions[-1]["number"] if versions else 0


def something_new(ti):
    """True when tonight's PrepareJob wrote a new version that added images (else the run stops here)."""
    manifest = json.loads(hdfs_cat(f"{OUT}/prepared/manifest.json"))
    newest = manifest["versions"][-1]
    return newest["number"] > ti.xcom_pull(task_ids="version_before") and newest["imagesAdded"] > 0


def classifier_needed():
    exists = subprocess.run(["hdfs", "dfs", "-test", "-e", f"{OUT}/classifier/classifier.json"]).returncode == 0
    return "augment" if exists else "train_classifier"


with DAG(
    dag_id="spark_diffusion_nightly_augment",
    schedule="15 2 * * *",
    start_date=datetime(2026, 12, 1),
    catchup=False,
    max_active_runs=1,  # the lock of scripts/nightly-augment.sh: runs never overlap
    default_args={"retries": 1, "retry_delay": timedelta(minutes=10)},
) as dag:
    version_before = PythonOperator(task_id="version_before", python_callable=newest_version)
    prepare = job("prepare", "PrepareJob", "prepare.conf", f"prepare.input={CORPUS}", f"prepare.output={OUT}/prepared",
                  "prepare.mode=incremental")
    new_images = ShortCircuitOperator(task_id="new_images", python_callable=something_new)
    which_next = BranchPythonOperator(task_id="classifier_needed", python_callable=classifier_needed)
    train_classifier = job("train_classifier", "EvaluateJob", "evaluate.conf", "evaluate.mode=train-classifier",
                           f"evaluate.data={OUT}/prepared", f"evaluate.classifier={OUT}/classifier",
                           "evaluate.overwrite=true")
    augment = job("augment", "AugmentJob", "augment.conf", f"augment.data={OUT}/prepared", "augment.versions=newest",
                  f"augment.run-dir={RUN_DIR}", f"augment.output={OUT}/{RUN}/augmented")
    augment.trigger_rule = "none_failed_min_one_success"  # after the classifier, or straight from the branch
    evaluate = job("evaluate", "EvaluateJob", "evaluate.conf", "evaluate.mode=evaluate",
                   f"evaluate.classifier={OUT}/classifier", f"evaluate.generated={OUT}/{RUN}/augmented",
                   f"evaluate.reference={OUT}/prepared", f"evaluate.output={OUT}/{RUN}/evaluation")

    version_before >> prepare >> new_images >> which_next >> [train_classifier, augment]
    train_classifier >> augment >> evaluate
