-- One state machine per aggregate (issue 10). Dispatches get the states of their machine and the
-- counters it decides by; dispatches and batches get append-only event rows, as items have.

alter table dispatches drop constraint dispatches_state_check;
alter table dispatches add constraint dispatches_state_check check (state in
    ('PREPARED', 'SENDING', 'SENT', 'INQUIRING', 'REVERSING', 'SETTLED', 'REFUSED', 'ABANDONED', 'GIVEN_UP'));
alter table dispatches rename column overdue_resends to resends;
alter table dispatches rename column next_send_at to next_action_at;
alter table dispatches add column inquiries integer not null default 0;
alter table dispatches add column reversals integer not null default 0;
-- once a send may have reached the bank, a dispatch can never be abandoned
alter table dispatches add column may_have_reached_bank boolean not null default false;
update dispatches set may_have_reached_bank = true
    where state in ('SENT', 'SETTLED') or last_send_result like 'UNKNOWN%' or transport_name is not null;

drop index dispatches_open;
create index dispatches_open on dispatches (bank_code, state) where state in ('PREPARED', 'SENDING', 'SENT', 'INQUIRING', 'REVERSING');

-- Append-only: every transition of a dispatch (from_state null for its preparation).
create table dispatch_events (
    dispatch_pk       bigint      not null,
    from_state        text,
    to_state          text        not null,
    event             text        not null,
    detail            text,
    at                timestamptz not null
);
create index dispatch_events_dispatch on dispatch_events (dispatch_pk);

-- Append-only: every change of a batch's state.
create table batch_events (
    batch_pk          bigint      not null,
    from_state        text        not null,
    to_state          text        not null,
    cause             text        not null,
    at                timestamptz not null
);
create index batch_events_batch on batch_events (batch_pk);
