"""The terminal: replies rendered for a TTY (rich), and the interactive prompt (prompt_toolkit).

Imported only by the console and the command line, never by handlers or the chat adapters.
"""
