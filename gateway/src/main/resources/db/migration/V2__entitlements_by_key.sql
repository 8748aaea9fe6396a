-- A failed item releases its entitlement through the entitlement's own key (programme, period,
-- person), which the item and its batch name; the second index on (batch_pk, seq) cost the intake
-- one more index insert per item and is gone.
drop index entitlements_item;
