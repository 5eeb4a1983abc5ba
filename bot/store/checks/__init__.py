"""Cross-file checks, one module per document kind; ``bot.store.crosscheck`` runs them in file order."""
