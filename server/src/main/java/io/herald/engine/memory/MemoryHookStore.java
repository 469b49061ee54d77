package io.herald.engine.memory;

import io.herald.engine.HookStore;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.JsonCodec;
import io.herald.protocol.WebhookEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The {@link HookStore} of the single-node engine: the same rules as the Redis one, held in this
 * process under one lock (every step is short and never waits). Queues are bounded by each hook's
 * {@code max_queue} events in total; past it new events are refused and reported. A crash loses the
 * queue with the rest of the node's state: there is no other node to deliver it. Thread-safe.
 */
public final class MemoryHookStore implements HookStore {
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final LongSupplier clock;
    /** Made by {@link #start} when there are hooks; guarded by this. */
    private ScheduledExecutorService timer;
    private Listener listener;
    /** The union of the hooks' event bits; set once by {@link #start}, read without the lock. */
    private volatile int wanted;
    /** Everything below is guarded by this. */
    private final Map<String, HookState> hooks = new LinkedHashMap<>();
    private final Set<ChannelName> occupied = new HashSet<>();
    private final Map<ChannelName, Map<String, Integer>> users = new HashMap<>();
    private final Map<ChannelName, Set<String>> members = new HashMap<>();

    private static final class HookState {
        final Hook hook;
        final Set<ChannelName> announced = new HashSet<>();
        final Map<ChannelName, Long> seq = new HashMap<>();
        final Map<ChannelName, ArrayDeque<QueuedEvent>> queues = new HashMap<>();
        /** Channel → when it may be claimed next. */
        final Map<ChannelName, Long> ready = new LinkedHashMap<>();
        final Map<ChannelName, Integer> attempts = new HashMap<>();
        /** Channel → when its vacated check is due. */
        final Map<ChannelName, Long> vacating = new HashMap<>();
        long queued;

        HookState(Hook hook) {
            this.hook = hook;
        }

        boolean wants(WebhookEvent e) {
            return (hook.mask() & e.bit()) != 0;
        }

        boolean hears(ChannelName channel) {
            return HookStore.inScope(hook.scope(), channel);
        }
    }

    public MemoryHookStore() {
        this(System::currentTimeMillis);
    }

    MemoryHookStore(LongSupplier clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void start(String nodeId, List<Hook> list, Listener l) {
        listener = l;
        int m = 0;
        for (Hook h : list) {
            hooks.put(h.id(), new HookState(h));
            m |= h.mask();
        }
        wanted = m;
        if (!list.isEmpty()) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "herald-hooks-timer");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::vacatedChecks, 100, 100, TimeUnit.MILLISECONDS);
        }
    }

    private void emit(HookState h, WebhookEvent e, ChannelName channel, String fields) {
        emit(h, e.bit(), channel, fields);
    }

    private void emit(HookState h, int bit, ChannelName channel, String fields) {
        if ((h.hook.mask() & bit) == 0 || !h.hears(channel)) {
            return;
        }
        long seq = h.seq.merge(channel, 1L, Long::sum);
        if (h.queued >= h.hook.maxQueue()) {
            listener.queued(h.hook.id(), 0, 1);
            return;
        }
        h.queued++;
        listener.queued(h.hook.id(), 1, 0);
        h.queues.computeIfAbsent(channel, c -> new ArrayDeque<>()).addLast(new QueuedEvent(seq, clock.getAsLong(), bit, fields));
        h.ready.putIfAbsent(channel, clock.getAsLong());
    }

    @Override
    public synchronized CompletableFuture<Void> occupy(ChannelName channel) {
        if (hooks.isEmpty()) {
            return DONE;
        }
        if (occupied.add(channel)) {
            for (HookState h : hooks.values()) {
                h.vacating.remove(channel);
                if ((h.wants(WebhookEvent.CHANNEL_OCCUPIED) || h.wants(WebhookEvent.CHANNEL_VACATED)) && h.hears(channel)
                        && h.announced.add(channel)) {
                    emit(h, WebhookEvent.CHANNEL_OCCUPIED, channel, "");
                }
            }
        }
        return DONE;
    }

    @Override
    public synchronized CompletableFuture<Void> vacate(ChannelName channel) {
        if (hooks.isEmpty()) {
            return DONE;
        }
        if (occupied.remove(channel)) {
            for (HookState h : hooks.values()) {
                if (h.announced.contains(channel)) {
                    h.vacating.put(channel, clock.getAsLong() + h.hook.vacateDelayMillis());
                }
            }
        }
        return DONE;
    }

    private synchronized void vacatedChecks() {
        long now = clock.getAsLong();
        for (HookState h : hooks.values()) {
            h.vacating.entrySet().removeIf(e -> {
                if (e.getValue() > now) {
                    return false;
                }
                if (!occupied.contains(e.getKey()) && h.announced.remove(e.getKey())) {
                    emit(h, WebhookEvent.CHANNEL_VACATED, e.getKey(), "");
                }
                return true;
            });
        }
    }

    @Override
    public synchronized CompletableFuture<Void> join(ChannelName channel, ClientInfo client, boolean pushesLeave) {
        // one node: no node can die and owe leave pushes, so only hooks need presence here
        if (hooks.isEmpty()) {
            return DONE;
        }
        if (members.computeIfAbsent(channel, c -> new HashSet<>()).add(client.client())
                && users.computeIfAbsent(channel, c -> new HashMap<>()).merge(client.user(), 1, Integer::sum) == 1) {
            String fields = userField(client.user());
            hooks.values().forEach(h -> emit(h, WebhookEvent.PRESENCE_JOIN, channel, fields));
        }
        return DONE;
    }

    @Override
    public synchronized CompletableFuture<Void> leave(ChannelName channel, ClientInfo client, boolean pushesLeave) {
        Set<String> in = members.get(channel);
        if (in == null || !in.remove(client.client())) {
            return DONE;
        }
        if (in.isEmpty()) {
            members.remove(channel);
        }
        Map<String, Integer> counts = users.get(channel);
        if (counts.merge(client.user(), -1, Integer::sum) <= 0) {
            counts.remove(client.user());
            if (counts.isEmpty()) {
                users.remove(channel);
            }
            String fields = userField(client.user());
            hooks.values().forEach(h -> emit(h, WebhookEvent.PRESENCE_LEAVE, channel, fields));
        }
        return DONE;
    }

    /** {@code "user":<JSON string>}, as hooks.lua writes it. */
    static String userField(String user) {
        try {
            return "\"user\":" + JsonCodec.MAPPER.writeValueAsString(user);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean wants(WebhookEvent event) {
        return (wanted & event.bit()) != 0;
    }

    @Override
    public synchronized CompletableFuture<Void> clientPublished(ChannelName channel, String fields) {
        if (hooks.isEmpty()) {
            return DONE;
        }
        hooks.values().forEach(h -> emit(h, WebhookEvent.CLIENT_PUBLISH, channel, fields));
        return DONE;
    }

    @Override
    public synchronized CompletableFuture<Void> queue(ChannelName channel, int bit, String fields) {
        hooks.values().forEach(h -> emit(h, bit, channel, fields));
        return DONE;
    }

    @Override
    public synchronized CompletableFuture<List<Batch>> claim(String hookId, int channels, int events, long leaseMillis) {
        HookState h = hooks.get(hookId);
        long now = clock.getAsLong();
        List<Batch> out = new ArrayList<>();
        // by due time, as the Redis store's sorted set hands them out
        TreeMap<Long, List<ChannelName>> due = new TreeMap<>();
        h.ready.forEach((ch, at) -> {
            if (at <= now) {
                due.computeIfAbsent(at, k -> new ArrayList<>()).add(ch);
            }
        });
        for (List<ChannelName> list : due.values()) {
            for (ChannelName ch : list) {
                if (out.size() >= channels) {
                    return CompletableFuture.completedFuture(out);
                }
                ArrayDeque<QueuedEvent> q = h.queues.get(ch);
                int expired = 0;
                while (q != null && !q.isEmpty() && q.peekFirst().timeMillis() < now - h.hook.maxAgeMillis()) {
                    q.pollFirst();
                    h.queued--;
                    expired++;
                }
                List<QueuedEvent> batch = new ArrayList<>();
                if (q != null) {
                    for (QueuedEvent e : q) {
                        if (batch.size() == events) {
                            break;
                        }
                        batch.add(e);
                    }
                }
                int attempts = h.attempts.getOrDefault(ch, 0);
                if (batch.isEmpty()) {
                    h.ready.remove(ch);
                    h.queues.remove(ch);
                    h.attempts.remove(ch);
                } else {
                    h.ready.put(ch, now + leaseMillis);
                }
                out.add(new Batch(ch, attempts, expired, batch));
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public synchronized CompletableFuture<Void> delivered(String hookId, Batch batch) {
        HookState h = hooks.get(hookId);
        ChannelName ch = batch.channel();
        ArrayDeque<QueuedEvent> q = h.queues.get(ch);
        if (q != null && !q.isEmpty() && q.peekFirst().seq() == batch.events().getFirst().seq()) {
            for (int i = 0; i < batch.events().size() && !q.isEmpty(); i++) {
                q.pollFirst();
                h.queued--;
            }
        }
        h.attempts.remove(ch);
        if (q != null && !q.isEmpty()) {
            h.ready.put(ch, clock.getAsLong());
        } else {
            h.ready.remove(ch);
            h.queues.remove(ch);
        }
        return DONE;
    }

    @Override
    public synchronized CompletableFuture<Void> failed(String hookId, Batch batch, long firstRetryMillis, long maxRetryMillis) {
        HookState h = hooks.get(hookId);
        ChannelName ch = batch.channel();
        int attempts = h.attempts.merge(ch, 1, Integer::sum);
        long now = clock.getAsLong();
        long due = now + Math.min(maxRetryMillis, firstRetryMillis << Math.min(attempts - 1, 30));
        ArrayDeque<QueuedEvent> q = h.queues.get(ch);
        if (q != null && !q.isEmpty()) {
            due = Math.min(due, Math.max(now, q.peekFirst().timeMillis() + h.hook.maxAgeMillis() + 1));
        }
        if (h.ready.containsKey(ch)) {
            h.ready.put(ch, due);
        }
        return DONE;
    }

    @Override
    public synchronized CompletableFuture<Long> depth(String hookId) {
        HookState h = hooks.get(hookId);
        return CompletableFuture.completedFuture(h == null ? 0L : h.queued);
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }
}
