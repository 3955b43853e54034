"""Pages of the delegates app, one module per area."""
