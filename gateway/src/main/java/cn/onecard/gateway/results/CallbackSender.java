package cn.onecard.gateway.results;

import cn.onecard.crypto.Sm2PrivateKey;
import cn.onecard.gateway.ledger.AlertKind;
import cn.onecard.gateway.ledger.Alerts;
import cn.onecard.gateway.ledger.BatchWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the callback outbox to the treasury: each batch's messages in sequence order, the next
 * only once the previous is acknowledged (any 2xx), signed by the gateway's key as docs/api.md
 * says, retried with exponential backoff for as long as it takes. Rows are leased, so several
 * nodes share the work without sending a message twice at once; a repeat after a lost
 * acknowledgement is possible and the treasury treats it as a no-op.
 */
public final class CallbackSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CallbackSender.class);

    public static final int MESSAGES_PER_ROUND_MAX = 64;
    public static final Duration BACKOFF_FIRST = Duration.ofSeconds(1);
    public static final Duration BACKOFF_MAX = Duration.ofMinutes(5);
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration LEASE = REQUEST_TIMEOUT.plusSeconds(20);
    /** How long one call keeps delivering a batch's next messages back to back. */
    public static final Duration ROUND_MAX = Duration.ofSeconds(5);

    private final DataSource dataSource;
    private final Clock clock;
    private final String gatewayId;
    private final Sm2PrivateKey gatewayKey;
    private final String owner;
    private final BatchWriter batches;
    private final CallbackHosts hosts;
    private final Alerts alerts;
    private final HttpClient http;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();

    public CallbackSender(DataSource dataSource, Clock clock, String gatewayId, Sm2PrivateKey gatewayKey, String owner,
            BatchWriter batches, CallbackHosts hosts, Alerts alerts) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.gatewayId = gatewayId;
        this.gatewayKey = gatewayKey;
        this.owner = owner;
        this.batches = batches;
        this.hosts = hosts;
        this.alerts = alerts;
        // no proxy: a proxy would resolve the name itself, past the check of its addresses
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).proxy(HttpClient.Builder.NO_PROXY)
                .followRedirects(HttpClient.Redirect.NEVER).executor(senders).build();
    }

    private record Message(long outboxPk, long batchPk, String batchId, String clientId, int sequence, String kind,
            String payload, String url, int attempts) {
    }

    /**
     * Delivers what is due: each batch's lowest unacknowledged message, and, as long as they are
     * acknowledged, the batch's next ones, for at most {@link #ROUND_MAX}. Returns how many were
     * acknowledged.
     */
    public int deliverDue() throws InterruptedException {
        long deadline = System.nanoTime() + ROUND_MAX.toNanos();
        int acknowledged = 0;
        int round;
        do {
            round = deliverHeads();
            acknowledged += round;
        } while (round > 0 && System.nanoTime() < deadline);
        return acknowledged;
    }

    /** One message per batch: the lowest unacknowledged one, where it is due. */
    private int deliverHeads() throws InterruptedException {
        List<Message> due = claim();
        List<Future<Boolean>> sent = new ArrayList<>();
        for (Message message : due) {
            sent.add(senders.submit(() -> deliver(message)));
        }
        int acknowledged = 0;
        for (Future<Boolean> result : sent) {
            try {
                if (result.get()) {
                    acknowledged++;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                log.error("callback delivery failed unexpectedly", e.getCause());
            }
        }
        return acknowledged;
    }

    private List<Message> claim() {
        List<Message> claimed = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                PreparedStatement select = connection.prepareStatement(
                        "with heads as (select distinct on (batch_pk) outbox_pk from callback_outbox "
                                + "where delivered_at is null order by batch_pk, sequence), "
                                + "due as (select o.outbox_pk from callback_outbox o join heads using (outbox_pk) "
                                + "where o.next_attempt_at <= ? and (o.lease_until is null or o.lease_until < clock_timestamp()) "
                                + "order by o.next_attempt_at limit ? for update of o skip locked) "
                                // the lease is in the database's time, as every lease is: nodes' clocks may disagree
                                + "update callback_outbox o set lease_owner = ?, "
                                + "lease_until = clock_timestamp() + ? * interval '1 millisecond' from due, batches b "
                                + "where o.outbox_pk = due.outbox_pk and b.batch_pk = o.batch_pk "
                                + "returning o.outbox_pk, o.batch_pk, b.batch_id, b.client_id, o.sequence, o.kind, o.payload, "
                                + "b.callback_url, o.attempts")) {
            select.setTimestamp(1, Timestamp.from(clock.instant()));
            select.setInt(2, MESSAGES_PER_ROUND_MAX);
            select.setString(3, owner);
            select.setLong(4, LEASE.toMillis());
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    claimed.add(new Message(rows.getLong(1), rows.getLong(2), rows.getString(3), rows.getString(4),
                            rows.getInt(5), rows.getString(6), rows.getString(7), rows.getString(8), rows.getInt(9)));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while claiming callbacks", e);
        }
        return claimed;
    }

    private boolean deliver(Message message) {
        // checked before every delivery: the list may have changed since intake, and so may DNS
        Optional<String> refused = hosts.refusal(message.clientId(), message.url(), true);
        if (refused.isPresent()) {
            alerts.raise(null, AlertKind.CALLBACK_NOT_ALLOWED, "callbacks of batch " + message.batchId(), refused.get()
                    + "; its reports wait and are tried again");
            retryLater(message, "callback host not allowed: " + refused.get());
            return false;
        }
        String failure;
        try {
            HttpResponse<Void> response = http.send(signed(message), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                acknowledge(message);
                return true;
            }
            failure = "HTTP " + response.statusCode();
        } catch (java.io.IOException | IllegalArgumentException e) {
            failure = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        }
        retryLater(message, failure);
        return false;
    }

    private HttpRequest signed(Message message) {
        String timestamp = Long.toString(clock.millis());
        String nonce = UUID.randomUUID().toString().replace("-", "");
        byte[] signedText = (timestamp + "\n" + nonce + "\n" + message.payload()).getBytes(StandardCharsets.UTF_8);
        return HttpRequest.newBuilder(URI.create(message.url()))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .header("X-OneCard-Client", gatewayId)
                .header("X-OneCard-Timestamp", timestamp)
                .header("X-OneCard-Nonce", nonce)
                .header("X-OneCard-Signature", Base64.getEncoder().encodeToString(gatewayKey.sign(signedText)))
                .POST(HttpRequest.BodyPublishers.ofString(message.payload(), StandardCharsets.UTF_8))
                .build();
    }

    private void acknowledge(Message message) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            Timestamp now = Timestamp.from(clock.instant());
            try (PreparedStatement update = connection.prepareStatement(
                    "update callback_outbox set delivered_at = ?, attempts = attempts + 1, lease_owner = null, "
                            + "lease_until = null, last_error = null where outbox_pk = ? and delivered_at is null")) {
                update.setTimestamp(1, now);
                update.setLong(2, message.outboxPk());
                update.executeUpdate();
            }
            batches.reportsDelivered(connection, message.batchPk());
            connection.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while acknowledging a callback", e);
        }
    }

    private void retryLater(Message message, String failure) {
        Duration backoff = backoff(message.attempts() + 1);
        log.warn("callback {} #{} of batch {} not acknowledged ({}); attempt {} again in {}", message.kind(),
                message.sequence(), message.batchPk(), failure, message.attempts() + 2, backoff);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement update = connection.prepareStatement(
                        "update callback_outbox set attempts = attempts + 1, next_attempt_at = ?, lease_owner = null, "
                                + "lease_until = null, last_error = ? where outbox_pk = ? and delivered_at is null")) {
            update.setTimestamp(1, Timestamp.from(clock.instant().plus(backoff)));
            update.setString(2, failure.length() > 500 ? failure.substring(0, 500) : failure);
            update.setLong(3, message.outboxPk());
            update.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("the ledger failed while rescheduling a callback", e);
        }
    }

    /** 1 s, 2 s, 4 s, ... at most 5 minutes. */
    public static Duration backoff(int failedAttempts) {
        int doublings = Math.min(Math.max(failedAttempts - 1, 0), 20);
        Duration delay = BACKOFF_FIRST.multipliedBy(1L << doublings);
        return delay.compareTo(BACKOFF_MAX) > 0 ? BACKOFF_MAX : delay;
    }

    @Override
    public void close() {
        senders.shutdownNow();
    }
}
