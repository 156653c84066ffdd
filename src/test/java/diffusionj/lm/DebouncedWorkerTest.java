package diffusionj.lm;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DebouncedWorkerTest {

    @Test
    void onlyTheLastOfQuicklyTypedInputsIsComputed() throws InterruptedException {
        List<String> computed = new CopyOnWriteArrayList<>();
        List<String> delivered = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        try (DebouncedWorker<String, String> w = new DebouncedWorker<>(Executors.newSingleThreadScheduledExecutor(), 150,
                s -> {
                    computed.add(s);
                    return s.toUpperCase();
                }, Runnable::run, r -> {
                    delivered.add(r);
                    done.countDown();
                }, e -> { })) {
            w.request("c");
            w.request("ca");
            w.request("cat");
            assertTrue(done.await(5, TimeUnit.SECONDS));
            Thread.sleep(300);
        }
        assertEquals(List.of("cat"), computed);
        assertEquals(List.of("CAT"), delivered);
    }

    @Test
    void aSlowStaleResultIsDiscardedWhenANewerRequestCame() throws InterruptedException {
        List<String> delivered = new CopyOnWriteArrayList<>();
        CountDownLatch slowStarted = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        try (DebouncedWorker<String, String> w = new DebouncedWorker<>(Executors.newSingleThreadScheduledExecutor(), 0,
                s -> {
                    if (s.equals("slow")) {
                        slowStarted.countDown();
                        sleep(400);
                    }
                    return s;
                }, Runnable::run, r -> {
                    delivered.add(r);
                    done.countDown();
                }, e -> { })) {
            w.request("slow");
            assertTrue(slowStarted.await(5, TimeUnit.SECONDS));
            w.request("fresh");
            assertTrue(done.await(5, TimeUnit.SECONDS));
            Thread.sleep(200);
        }
        assertEquals(List.of("fresh"), delivered);
    }

    @Test
    void errorsAreDeliveredNotSwallowed() throws InterruptedException {
        List<String> errors = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        try (DebouncedWorker<String, String> w = new DebouncedWorker<>(Executors.newSingleThreadScheduledExecutor(), 0,
                s -> {
                    throw new IllegalArgumentException("text too long");
                }, Runnable::run, r -> { }, e -> {
                    errors.add(e.getMessage());
                    done.countDown();
                })) {
            w.request("x");
            assertTrue(done.await(5, TimeUnit.SECONDS));
        }
        assertEquals(List.of("text too long"), errors);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
