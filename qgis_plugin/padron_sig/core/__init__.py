"""Pure-Python core of the Padrón SIG plugin: no ``qgis`` or Qt imports, unit-tested alone.

The QGIS side (``padron_sig.plugin`` and friends) does the networking and the interface; what it
decides — which URL, which order, which message, what may be shown — is decided here."""
