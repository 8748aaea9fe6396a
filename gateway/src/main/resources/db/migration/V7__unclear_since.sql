-- When an online payment's fate became unclear (its dispatch moved to INQUIRING or REVERSING), kept
-- while it stays so: past the configured limit its items are reported UNKNOWN (BankCycle). Dispatches
-- unclear before this migration count from their last change.
alter table dispatches add column unclear_since timestamptz;
update dispatches set unclear_since = updated_at where state in ('INQUIRING', 'REVERSING');
create index dispatches_unclear on dispatches (bank_code, unclear_since) where state in ('INQUIRING', 'REVERSING');
