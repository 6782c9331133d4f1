package io.github.gambiarra.llama;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Lets the JVM end normally after an engine was closed. java-llama.cpp 4.2.0 leaves its native worker
 * thread attached to the JVM as a non-daemon thread after the model is closed (its issue #116), so a
 * program whose {@code main} returns would never exit. Once only such threads are left (the ones
 * with no Java frames that were there when an engine closed), this exits the way the JVM would have:
 * status 0, or 1 if {@code main} ended with an uncaught exception.
 *
 * <p>Set {@code -Dgambiarra.llama.exitGuard=false} to turn it off.
 */
final class ExitGuard {
    private static final Set<Thread> LEFT_BEHIND = Collections.newSetFromMap(new WeakHashMap<>());
    private static volatile boolean mainFailed;
    private static boolean started;

    private ExitGuard() {
    }

    /** Called after a model was closed: notes the native threads it left, and starts watching once. */
    static synchronized void arm() {
        if (!Boolean.parseBoolean(System.getProperty("gambiarra.llama.exitGuard", "true"))) {
            return;
        }
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            Thread t = e.getKey();
            if (!t.isDaemon() && e.getValue().length == 0 && t != Thread.currentThread()
                    && !t.getName().equals("DestroyJavaVM")) {
                LEFT_BEHIND.add(t);
            }
        }
        if (LEFT_BEHIND.isEmpty() || started) {
            return;
        }
        started = true;
        if (Thread.getDefaultUncaughtExceptionHandler() == null) {
            // Keep the JVM's own report of an uncaught exception, and remember it for the exit status.
            Thread.setDefaultUncaughtExceptionHandler((thread, error) -> {
                if (thread.getName().equals("main")) {
                    mainFailed = true;
                }
                System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                error.printStackTrace(System.err);
            });
        }
        Thread watcher = new Thread(ExitGuard::watch, "gambiarra-llama-exit-guard");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static void watch() {
        while (true) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            if (onlyLeftBehindRemain()) {
                System.exit(mainFailed ? 1 : 0);
            }
        }
    }

    private static boolean onlyLeftBehindRemain() {
        synchronized (ExitGuard.class) {
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (t.isAlive() && !t.isDaemon() && !t.getName().equals("DestroyJavaVM") && !LEFT_BEHIND.contains(t)) {
                    return false;
                }
            }
            return true;
        }
    }
}
