package org.rapaio.jupyter.kernel.channels;

/**
 * scripts/notebooks.sh puts this class before the kernel's jar: a replacement for the Rapaio Java
 * kernel 3.0.1's LoopThread (same public API), without two start-up races that leave about one start
 * in ten (more on a busy machine) unanswered, "Kernel didn't respond". To report upstream.
 * Upstream sets running=true only AFTER super.start(), so the new thread can see
 * running==false and exit at once; the Shell/Control/Heartbeat loop then never polls
 * and the client times out waiting for kernel_info_reply. Here the flag is set first.
 * Second upstream race: Channels.connect() starts the loops before it fills its handler
 * map, so an early kernel_info_request hits a null map, the NPE escapes run() and kills
 * the Shell loop for good. Here an exception from one iteration is printed and the loop
 * goes on (the client simply re-sends kernel_info_request).
 */
public final class LoopThread extends Thread {

    private volatile boolean running = false;
    private final long sleep;
    private final Runnable loopBody;

    public LoopThread(String name, long sleep, Runnable loopBody) {
        super(name);
        this.sleep = sleep;
        this.loopBody = loopBody;
    }

    @Override
    public void run() {
        while (running) {
            try {
                loopBody.run();
            } catch (RuntimeException e) {
                System.err.println("[LoopThread " + getName() + "] iteration failed, continuing: " + e);
            }
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                running = false;
                return;
            }
        }
    }

    @Override
    public synchronized void start() {
        running = true;
        super.start();
    }

    public void shutdown() {
        running = false;
    }
}
