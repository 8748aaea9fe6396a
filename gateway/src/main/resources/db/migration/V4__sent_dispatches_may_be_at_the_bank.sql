-- V3 marked a dispatch of an earlier version as possibly at the bank from its state and last result,
-- which misses one whose send was interrupted before any result was recorded. Any dispatch ever sent
-- may be at the bank, and such a dispatch is never abandoned.
update dispatches set may_have_reached_bank = true where send_attempts > 0 and not may_have_reached_bank;
