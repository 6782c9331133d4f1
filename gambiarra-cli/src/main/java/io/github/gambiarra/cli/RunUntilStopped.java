package io.github.gambiarra.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * "Keep running until Ctrl-C", written once for every long-running command (serve, join, demo,
 * fake-llm): waits until the JVM is asked to stop (Ctrl-C, SIGTERM) or {@link #stop()} is called
 * (tests, and commands that end by themselves), then runs the command's clean-up exactly once,
 * whichever came first.
 */
final class RunUntilStopped {
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean cleanedUp = new AtomicBoolean();

    /**
     * Blocks until stopped, then runs {@code cleanUp} (on the shutdown hook's thread when the JVM is
     * stopping, so that it finishes before the JVM exits).
     */
    void await(Runnable cleanUp) throws InterruptedException {
        Thread hook = new Thread(() -> {
            cleanUpOnce(cleanUp);
            stopped.countDown();
        }, "gambiarra-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stopped.await();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running the clean-up
                return;
            }
            cleanUpOnce(cleanUp);
        }
    }

    /** Ends {@link #await} as Ctrl-C would. */
    void stop() {
        stopped.countDown();
    }

    /** Whether {@link #stop()} was called or the JVM is stopping. */
    boolean isStopped() {
        return stopped.getCount() == 0;
    }

    private void cleanUpOnce(Runnable cleanUp) {
        if (cleanedUp.compareAndSet(false, true)) {
            cleanUp.run();
        }
    }
}
