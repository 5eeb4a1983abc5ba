"""Loopback fakes of the chat platforms' APIs, for tests that drive the real SDK clients."""
