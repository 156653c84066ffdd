package diffusionj.lm;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a slow computation for the latest input only: each request waits {@code delayMillis} for the
 * typing to pause (a newer request replaces a waiting one), runs on a background thread, and its result
 * is handed over on the {@code deliver} executor (the Event Dispatch Thread in the panel) only if no newer
 * request came meanwhile — so a slow, stale answer never overwrites a fresh one.
 */
public final class DebouncedWorker<I, O> implements AutoCloseable {
    private final ScheduledExecutorService worker;
    private final long delayMillis;
    private final Function<I, O> compute;
    private final Executor deliver;
    private final Consumer<O> onResult;
    private final Consumer<RuntimeException> onError;
    private final AtomicLong latest = new AtomicLong();
    private ScheduledFuture<?> waiting;

    public DebouncedWorker(ScheduledExecutorService worker, long delayMillis, Function<I, O> compute, Executor deliver,
                           Consumer<O> onResult, Consumer<RuntimeException> onError) {
        this.worker = worker;
        this.delayMillis = delayMillis;
        this.compute = compute;
        this.deliver = deliver;
        this.onResult = onResult;
        this.onError = onError;
    }

    public synchronized void request(I input) {
        long id = latest.incrementAndGet();
        if (waiting != null) {
            waiting.cancel(false);
        }
        waiting = worker.schedule(() -> run(id, input), delayMillis, TimeUnit.MILLISECONDS);
    }

    /** Forgets any pending or running request: its result will not be delivered. */
    public void discardPending() {
        latest.incrementAndGet();
    }

    private void run(long id, I input) {
        if (id != latest.get()) {
            return;
        }
        try {
            O result = compute.apply(input);
            deliver.execute(() -> {
                if (id == latest.get()) {
                    onResult.accept(result);
                }
            });
        } catch (RuntimeException e) {
            deliver.execute(() -> {
                if (id == latest.get()) {
                    onError.accept(e);
                }
            });
        }
    }

    @Override
    public void close() {
        discardPending();
        worker.shutdownNow();
    }
}
