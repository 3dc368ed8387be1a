"""Webhook mode: the update receiver, /healthz and /metrics, and the process around them."""
