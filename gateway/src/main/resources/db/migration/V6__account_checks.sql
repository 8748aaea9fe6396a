-- A bank's definite word on an account (valid, or refused with its code), kept for a while so that
-- a resend, another batch or another programme for the same account within that time is not
-- verified again (BankCycle, AccountCheckCache). The account is named by a digest of its card
-- number, holder name and identity number, never in clear.
create table account_checks (
    bank_code        text        not null,
    account_sm3      bytea       not null,
    valid            boolean     not null,
    outcome          text,
    bank_result_code text,
    checked_at       timestamptz not null,
    primary key (bank_code, account_sm3)
);
