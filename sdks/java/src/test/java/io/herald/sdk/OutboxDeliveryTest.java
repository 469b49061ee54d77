package io.herald.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.outbox.OutboxSchema;
import io.herald.sdk.subscriber.HeraldSubscriber;
import io.herald.sdk.subscriber.Subscription;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * HeraldOutbox end to end: rows inserted in the caller's transactions are read by the node's outbox
 * reader (its DDL from the server's {@code herald outbox-ddl}) and reach a HeraldSubscriber once, in
 * order; rolled-back rows never do.
 */
class OutboxDeliveryTest {
    private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    @Test
    void committedRowsReachASubscriberOnceInOrderAndRolledBackOnesNever() throws Exception {
        String table = "herald_outbox_javasdk_e2e_" + Long.toHexString(System.nanoTime());
        OutboxSchema schema = new OutboxSchema(table);
        try (Connection db = DriverManager.getConnection(URL)) {
            try (Statement s = db.createStatement()) {
                s.execute(schema.ddl());
            }
            // a 30 s poll interval: only the NOTIFY of each commit delivers in time
            try (TestServer node = TestServer.memory("outbox:\n  url: postgresql://postgres@127.0.0.1:5432/test\n  table: "
                    + table + "\n  poll_interval: 30s\n");
                 HeraldSubscriber subscriber = HeraldSubscriber.builder().url(node.url())
                         .tokenSupplier(() -> TestServer.token("o1", "feed:*")).build()) {
                List<Integer> received = new CopyOnWriteArrayList<>();
                List<Long> offsets = new CopyOnWriteArrayList<>();
                Subscription orders = subscriber.subscribe("feed:orders");
                orders.on("order_paid", Map.class, (data, p) -> {
                    received.add((Integer) data.get("n"));
                    offsets.add(p.offset());
                });
                subscriber.connect();
                orders.ready().get(10, TimeUnit.SECONDS);

                HeraldOutbox outbox = HeraldOutbox.table(table);
                db.setAutoCommit(false);
                List<Integer> committed = new ArrayList<>();
                for (int n = 0; n < 30; n++) {
                    outbox.add(db, "feed:orders", "order_paid", Map.of("n", n), null);
                    if (n % 3 == 2) {
                        db.rollback();
                    } else {
                        db.commit();
                        committed.add(n);
                    }
                }
                Await.until("every committed row delivered", Duration.ofSeconds(15), () -> received.size() >= committed.size());
                Await.sleep(300); // time for a duplicate or a rolled-back row to show up
                assertThat(received).isEqualTo(committed);
                assertThat(offsets).isEqualTo(LongStream.rangeClosed(1, committed.size()).boxed().toList());
            }
        } finally {
            try (Connection db = DriverManager.getConnection(URL); Statement s = db.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + table + ", " + schema.deadTable() + " CASCADE");
                s.execute("DROP FUNCTION IF EXISTS " + table + "_notify()");
            }
        }
    }
}
