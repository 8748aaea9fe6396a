-- Whether a batch still has an item in flight, found without counting the batch: an online bank's
-- answers are recorded in groups many times a second, and a batch in progress stays in progress
-- while any item may still move by itself (BatchWriter.itemsChanged).
create index items_in_flight on items (batch_pk) where state in ('RECEIVED', 'VALIDATED', 'DISPATCHED');
