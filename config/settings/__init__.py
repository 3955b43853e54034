"""Settings layers: ``base`` reads the environment; ``local`` (the embedded
default), ``production`` and ``test`` adjust it thinly."""
