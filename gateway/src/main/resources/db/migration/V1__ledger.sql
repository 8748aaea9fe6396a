-- The ledger: batches, items and their append-only events, bank files, result files, the callback
-- outbox, nonces, screening feeds, entitlements (the cross-batch duplicate guard), leases, alerts.
-- Money is bigint fen. States are text, checked against the state machine's enum.

create table batches (
    batch_pk          bigint generated always as identity primary key,
    client_id         text        not null,
    batch_id          text        not null,
    program_code      text        not null,
    program_name      text        not null,
    period            text        not null,
    payer_account     text        not null,
    callback_url      text        not null,
    item_count        integer     not null check (item_count > 0),
    total_amount_fen  bigint      not null,
    content_sm3       bytea       not null,
    source            text        not null check (source in ('API', 'FILE')),
    state             text        not null check (state in ('RECEIVED', 'IN_PROGRESS', 'AWAITING_REVIEW', 'COMPLETED', 'REPORTED')),
    report_sequence   integer     not null default 0,
    received_at       timestamptz not null,
    updated_at        timestamptz not null,
    unique (client_id, batch_id)
);

-- An item's key is (batch_pk, seq): seq is its position in the batch, from 1. Its bank reference
-- is derived from that key ('OC' + 10-digit batch_pk + 8-digit seq), fixed before any send.
-- No foreign key to batches: the intake streams the items in (COPY) before it knows the batch's
-- header, and stores both in one transaction; a per-row check would cost a lookup per item.
create table items (
    batch_pk          bigint      not null,
    seq               integer     not null check (seq > 0),
    item_id           text        not null,
    holder_name       text        not null,
    id_number         text        not null,
    card_number       text        not null,
    amount_fen        bigint      not null,
    household_head    boolean     not null,
    proxy_id          text,
    phone             text,
    state             text        not null check (state in ('RECEIVED', 'VALIDATED', 'REJECTED', 'HELD', 'DISPATCHED', 'PAID', 'FAILED', 'UNKNOWN')),
    code              text,
    bank_code         text,
    dispatch_pk       bigint,
    bank_result_code  text,
    updated_at        timestamptz not null,
    primary key (batch_pk, seq)
);
create index items_ready on items (bank_code, batch_pk, seq) where state = 'VALIDATED';
create index items_dispatch on items (dispatch_pk) where dispatch_pk is not null;

-- Append-only; read per item through (batch_pk, seq), in event_pk order. No index on event_pk:
-- the intake appends a million events at a time and nothing looks one up by its number.
create table item_events (
    event_pk          bigint      not null generated always as identity,
    batch_pk          bigint      not null,
    seq               integer     not null,
    from_state        text        not null,
    to_state          text        not null,
    code              text,
    cause             text        not null,
    at                timestamptz not null
);
create index item_events_item on item_events (batch_pk, seq);

-- One payment file (a dispatch). Its id and its items never change once prepared; a resend
-- carries the same id.
create table dispatches (
    dispatch_pk       bigint generated always as identity primary key,
    dispatch_id       text        not null unique,
    bank_code         text        not null,
    business_date     date        not null,
    item_count        integer     not null,
    total_amount_fen  bigint      not null,
    state             text        not null check (state in ('PREPARED', 'SENT', 'SETTLED', 'ABANDONED')),
    send_attempts     integer     not null default 0,
    overdue_resends   integer     not null default 0,
    transport_name    text,
    last_send_result  text,
    next_send_at      timestamptz,
    results_due_at    timestamptz,
    created_at        timestamptz not null,
    updated_at        timestamptz not null
);
create index dispatches_open on dispatches (bank_code, state) where state in ('PREPARED', 'SENT');

create table result_files (
    result_file_pk    bigint generated always as identity primary key,
    bank_code         text        not null,
    source            text        not null,
    dispatch_id       text        not null,
    content_sm3       text        not null,
    record_count      integer     not null,
    total_amount_fen  bigint      not null,
    applied_count     integer     not null,
    repeated_count    integer     not null,
    conflicting_count integer     not null,
    received_at       timestamptz not null,
    unique (bank_code, content_sm3)
);

create table callback_outbox (
    outbox_pk         bigint generated always as identity primary key,
    batch_pk          bigint      not null references batches,
    sequence          integer     not null,
    kind              text        not null check (kind in ('RESULTS', 'SUMMARY')),
    payload           text        not null,
    attempts          integer     not null default 0,
    next_attempt_at   timestamptz not null,
    lease_owner       text,
    lease_until       timestamptz,
    last_error        text,
    delivered_at      timestamptz,
    created_at        timestamptz not null,
    unique (batch_pk, sequence)
);
create index callback_outbox_pending on callback_outbox (next_attempt_at) where delivered_at is null;

create table nonces (
    client_id         text        not null,
    nonce             text        not null,
    expires_at        timestamptz not null,
    primary key (client_id, nonce)
);

-- Screening feeds: full snapshots, replaced whole.
create table card_registry (
    card_number       text        primary key,
    id_number         text        not null,
    state             text        not null check (state in ('NORMAL', 'NOT_ACTIVATED', 'LOST_TEMPORARY', 'LOST_FORMAL', 'CANCELLED', 'FROZEN'))
);
create table blocked_persons (
    id_number         text        primary key,
    reason            text        not null check (reason in ('DECEASED', 'BLOCKED'))
);
create table feed_loads (
    feed              text        primary key check (feed in ('CARD_REGISTRY', 'BLOCKED_PERSONS')),
    rows_loaded       integer     not null,
    content_sm3       text        not null,
    loaded_at         timestamptz not null
);

-- One row per (programme, period, person) paid or in flight: a second claim is a duplicate.
create table entitlements (
    program_code      text        not null,
    period            text        not null,
    id_number         text        not null,
    batch_pk          bigint      not null,
    seq               integer     not null,
    primary key (program_code, period, id_number)
);
-- a failed item releases its entitlement by its own key
create index entitlements_item on entitlements (batch_pk, seq);

-- Work shared by gateway nodes: a bank's dispatch and collect cycle runs on the node holding its
-- lease; a dead node's lease expires and another node takes over.
create table leases (
    name              text        primary key,
    owner             text        not null,
    until             timestamptz not null
);

create table alerts (
    alert_pk          bigint generated always as identity primary key,
    at                timestamptz not null,
    bank_code         text,
    kind              text        not null,
    source            text        not null,
    detail            text        not null,
    acknowledged_at   timestamptz
);
