package io.sparkdiffusion.lock;

import io.sparkdiffusion.config.InputError;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One writer per output directory: a lock file beside it ({@code .<name>.lock}, hidden from Spark and Hadoop
 * listings, and outside the directory so that {@code overwrite=true} cannot delete it), created only if absent.
 * It names its holder; a heartbeat thread touches it (modification time) while the job runs, and a lock whose
 * heartbeat stopped longer than {@code staleAfter} ago (a killed driver) is taken over. A second writer gets an
 * {@link InputError}: exit 2, one line naming the holder.
 *
 * <p>Create-if-absent is atomic on HDFS (the NameNode) and on local disks (O_EXCL, used directly because
 * Hadoop's local create checks and then creates); on object stores it is not, so there the lock narrows the
 * race without closing it. Staleness compares this machine's clock with the file's time: keep the clocks of
 * drivers in sync to well within {@link #STALE_AFTER}.
 */
public final class OutputLock implements AutoCloseable {
    public static final Duration HEARTBEAT = Duration.ofSeconds(10);
    public static final Duration STALE_AFTER = Duration.ofMinutes(2);
    /** How long a release waits for a heartbeat in flight. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(OutputLock.class);
    /** Locks taken for the job running in this JVM, released by {@link #releaseJobLocks()} (JobRunner). */
    private static final List<OutputLock> JOB_LOCKS = new ArrayList<>();
    private static boolean releaseAtExit;

    private final FileSystem fs;
    private final Path file;
    private final String owner;
    private final ScheduledExecutorService heartbeat;
    private boolean released;
    /** Set by close() before the heartbeat stops: a heartbeat failing then is the release, not a loss. */
    private volatile boolean closing;
    /** Set by the heartbeat when the file names another holder: it then stops touching it. */
    private volatile boolean lost;
    /** Whether the heartbeat last found no file (said once until it is back). */
    private boolean missing;

    private OutputLock(FileSystem fs, Path file, String owner, Duration interval) {
        this.fs = fs;
        this.file = file;
        this.owner = owner;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "output-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::touch, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Locks {@code output} for the job running in this JVM until it ends ({@link #releaseJobLocks()}, also at JVM
     * exit). {@code key} names the setting, for the message.
     */
    public static synchronized OutputLock acquireForJob(String output, String key, Configuration conf)
            throws IOException {
        Path path = new Path(output);
        FileSystem fs = path.getFileSystem(conf);
        OutputLock lock = acquire(fs, fs.makeQualified(path), key, HEARTBEAT, STALE_AFTER);
        if (!releaseAtExit) { // a killed driver (SIGTERM) frees its outputs too
            Runtime.getRuntime().addShutdownHook(new Thread(OutputLock::releaseJobLocks, "output-lock-release"));
            releaseAtExit = true;
        }
        JOB_LOCKS.add(lock);
        return lock;
    }

    /** Releases the locks {@link #acquireForJob} took; never throws. */
    public static synchronized void releaseJobLocks() {
        for (OutputLock lock : JOB_LOCKS) {
            lock.close();
        }
        JOB_LOCKS.clear();
    }

    /** The lock file of an output directory. */
    public static Path lockFile(Path output) {
        if (output.getName().isEmpty() && output.getParent() != null) { // "out/" made from a URI keeps its slash
            output = output.getParent();
        }
        io.sparkdiffusion.config.CommitProtocol.belowRoot(output);
        return new Path(output.getParent(), "." + output.getName() + ".lock");
    }

    /** Takes the lock of {@code output} (qualified) or throws InputError naming its holder. */
    public static OutputLock acquire(FileSystem fs, Path output, String key, Duration heartbeat, Duration staleAfter)
            throws IOException {
        Path file = lockFile(output);
        String owner = "pid " + ProcessHandle.current().pid() + "@" + hostName() + ", started "
                + Instant.now().toString().replaceAll("\\.\\d+Z$", "Z") + ", " + key + ", token " + UUID.randomUUID();
        if (createIfAbsent(fs, file, owner)) {
            return new OutputLock(fs, file, owner, heartbeat);
        }
        Holder holder = Holder.read(fs, file);
        if (holder != null && holder.silentFor().compareTo(staleAfter) > 0 && takeOver(fs, file, holder, staleAfter)) {
            LOG.warn("took over the lock {} of a writer silent for {} s ({})", file, holder.silentFor().toSeconds(),
                    holder.owner());
            if (createIfAbsent(fs, file, owner)) {
                return new OutputLock(fs, file, owner, heartbeat);
            }
            holder = Holder.read(fs, file);
        }
        String who = holder == null ? "a writer that just finished" : holder.owner() + ", last heartbeat "
                + holder.silentFor().toSeconds() + " s ago";
        throw new InputError("output " + output + " is being written by another job (" + who + "; lock " + file
                + "); wait for it to end (a dead job's lock expires " + staleAfter.toSeconds()
                + " s after its last heartbeat)");
    }

    /**
     * Stops the heartbeat, waiting briefly for one in flight, and deletes the lock file if it is still this one's;
     * never throws.
     */
    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        released = true;
        closing = true;
        heartbeat.shutdown(); // no new heartbeat; one in flight finishes before the file goes
        try {
            if (!heartbeat.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                heartbeat.shutdownNow();
            }
        } catch (InterruptedException e) {
            heartbeat.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            Holder holder = Holder.read(fs, file);
            if (holder != null && holder.owner().equals(owner)) {
                fs.delete(file, false);
            } else {
                LOG.warn("lock {} is no longer ours (held by {}); leaving it", file, holder == null ? "nobody" : holder.owner());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not release the lock {}: {}", file, e.toString());
        }
    }

    public Path file() {
        return file;
    }

    /**
     * The heartbeat: refreshes the lock file's time while it names this holder. A file naming another holder (a job
     * that judged this one dead took over) is said once, as an ERROR, and left alone from then on: touching it would
     * keep the other job's lock fresh. A missing file is said once too, and touched again should it come back as
     * this one's (a takeover that found it live puts it back). The job itself goes on.
     */
    private void touch() {
        if (lost || closing) {
            return;
        }
        try {
            Holder holder = Holder.read(fs, file);
            if (holder != null && holder.owner().equals(owner)) {
                fs.setTimes(file, System.currentTimeMillis(), -1);
                missing = false;
            } else if (holder != null) {
                lost = true;
                if (!closing) {
                    LOG.error("the lock {} was taken over by {}: another job may now write the same output; this job "
                            + "no longer holds it", file, holder.owner());
                }
            } else {
                disappeared();
            }
        } catch (FileNotFoundException e) {
            disappeared();
        } catch (IOException | RuntimeException e) {
            if (!closing) {
                LOG.warn("heartbeat of the lock {} failed: {}", file, e.toString());
            }
        }
    }

    private void disappeared() {
        if (!missing && !closing) {
            LOG.error("the lock {} disappeared: another job may now write the same output", file);
        }
        missing = true;
    }

    /** Creates the lock file holding {@code owner}; false when it exists. */
    private static boolean createIfAbsent(FileSystem fs, Path file, String owner) throws IOException {
        byte[] bytes = (owner + "\n").getBytes(StandardCharsets.UTF_8);
        if ("file".equals(fs.getUri().getScheme())) {
            java.nio.file.Path local = Paths.get(file.toUri());
            Files.createDirectories(local.getParent());
            try {
                Files.write(Files.createFile(local), bytes); // O_EXCL: atomic
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            }
        }
        // not CommitProtocol.write: taking the lock is this create failing when the file exists (no overwrite)
        try (OutputStream out = fs.create(file, false)) {
            out.write(bytes);
            return true;
        } catch (IOException e) { // FileAlreadyExistsException, or HDFS's AlreadyBeingCreatedException
            if (fs.exists(file)) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Moves a stale lock aside (a rename succeeds once) and checks that what moved is the lock judged stale and is
     * stale still: not a fresh one another job put there meanwhile, nor the same holder's whose heartbeat resumed
     * between the read and the rename (a rename keeps the modification time). Otherwise it goes back.
     */
    private static boolean takeOver(FileSystem fs, Path file, Holder stale, Duration staleAfter) throws IOException {
        Path aside = new Path(file.getParent(), file.getName() + ".stale-" + UUID.randomUUID());
        if (!fs.rename(file, aside)) {
            return false;
        }
        Holder moved = Holder.read(fs, aside);
        if (moved != null && moved.owner().equals(stale.owner()) && moved.silentFor().compareTo(staleAfter) > 0) {
            fs.delete(aside, false);
            return true;
        }
        if (!fs.rename(aside, file)) {
            LOG.warn("could not put back the lock {} (moved to {})", file, aside);
        }
        return false;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }

    /** Who holds a lock file and how long ago it was last touched. */
    private record Holder(String owner, Duration silentFor) {
        /** Null when the file is gone. */
        static Holder read(FileSystem fs, Path file) throws IOException {
            try {
                FileStatus status = fs.getFileStatus(file);
                String owner;
                try (InputStream in = fs.open(file)) {
                    owner = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
                }
                return new Holder(owner, Duration.ofMillis(Math.max(0,
                        System.currentTimeMillis() - status.getModificationTime())));
            } catch (FileNotFoundException e) {
                return null;
            }
        }
    }
}
