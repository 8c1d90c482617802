"""RGPD: what is held about a person, its pseudonymisation, account deletion, retention, and the register of
processing activities (art. 30)."""
