"""Rules shared by every area: ledger, availability, allocation, locks, events."""
