"""The Zalo Official Account channel: signed webhook in, OA API replies out (README, "Zalo")."""
