"""Platform adapters: the only code that knows Slack, Discord or the terminal. They only translate."""
