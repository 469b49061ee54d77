package io.herald.sdk.subscriber;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The application's callbacks of one kind. Emitted on the subscriber's event thread; a callback
 * that throws is reported to {@code failed} and the others still run.
 */
final class Listeners<T> {
    private final CopyOnWriteArrayList<Consumer<? super T>> list = new CopyOnWriteArrayList<>();
    private final Consumer<RuntimeException> failed;

    Listeners(Consumer<RuntimeException> failed) {
        this.failed = failed;
    }

    /** Adds a callback; running the returned handle removes it. */
    Runnable add(Consumer<? super T> listener) {
        list.add(listener);
        return () -> list.remove(listener);
    }

    void emit(T value) {
        for (Consumer<? super T> l : list) {
            try {
                l.accept(value);
            } catch (RuntimeException e) {
                failed.accept(e);
            }
        }
    }
}
