package io.sparkdiffusion.cli;

import io.sparkdiffusion.config.CommandLine;
import io.sparkdiffusion.config.ConfigError;
import io.sparkdiffusion.config.InputError;
import io.sparkdiffusion.config.JobConfigLoader;
import io.sparkdiffusion.config.Settings;
import io.sparkdiffusion.lock.OutputLock;
import io.sparkdiffusion.train.TrainingDiverged;

/**
 * The command-line contract every job shares: {@code --config FILE}, repeatable {@code --set key=value},
 * {@code --help}; exit 0 on success, 2 with one line on stderr for a usage, config or input error, 1 for an
 * unexpected failure.
 */
public final class JobRunner {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;

    /** The job's work, given its validated settings. */
    @FunctionalInterface
    public interface Job {
        void run(Settings settings) throws Exception;
    }

    private JobRunner() {
    }

    /** Runs the job and returns its exit code (tests call this; {@code main} passes it to System.exit). */
    public static int run(String root, String usage, String[] args, Job job) {
        try {
            CommandLine commandLine = CommandLine.parse(args);
            JobConfigLoader loader = JobConfigLoader.forJob(root);
            if (commandLine.help()) {
                System.out.println(loader.help(usage));
                return OK;
            }
            job.run(loader.settings(commandLine));
            return OK;
        } catch (ConfigError | InputError e) {
            System.err.println(root + ": " + e.getMessage());
            return BAD_INPUT;
        } catch (TrainingDiverged e) {
            System.err.println(root + ": " + e.getMessage());
            return FAILED;
        } catch (Exception | Error e) {
            System.err.println(root + ": failed: " + e);
            e.printStackTrace(System.err);
            return FAILED;
        } finally {
            OutputLock.releaseJobLocks(); // the output locks the job took: the next run may write
        }
    }
}
