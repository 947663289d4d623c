package io.sparkdiffusion.generate;

import io.sparkdiffusion.model.NetworkDenoiser;
import io.sparkdiffusion.schedule.NoiseSchedule;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The denoisers of one JVM (a Spark executor runs many tasks, several at a time): the network is rebuilt
 * from its bytes once per JVM, and every concurrent task borrows its own copy (a DL4J network is not safe
 * to share between threads), returned for the next task. One model at a time: asking for another drops the
 * old one.
 */
public final class DenoiserPool {
    private static String key;
    private static ComputationGraph prototype;
    private static NoiseSchedule schedule;
    private static final ConcurrentLinkedQueue<NetworkDenoiser> IDLE = new ConcurrentLinkedQueue<>();

    private DenoiserPool() {
    }

    /** A denoiser of the model for this thread's exclusive use until {@link #giveBack}. */
    public static NetworkDenoiser borrow(ModelBytes model) throws IOException {
        synchronized (DenoiserPool.class) {
            if (!model.key().equals(key)) {
                IDLE.clear();
                prototype = model.network();
                schedule = NoiseSchedule.of(model.schedule());
                key = model.key();
            }
            NetworkDenoiser idle = IDLE.poll();
            // the queue holds only denoisers of the current key: it is cleared under this lock on a change
            return idle != null ? idle : new NetworkDenoiser(prototype.clone(), model.spec(), schedule);
        }
    }

    public static void giveBack(ModelBytes model, NetworkDenoiser denoiser) {
        synchronized (DenoiserPool.class) {
            if (model.key().equals(key)) {
                IDLE.add(denoiser);
            }
        }
    }
}
