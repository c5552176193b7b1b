"""Padrón SIG plugin for QGIS 3.22+."""


def classFactory(iface):
    from padron_sig.plugin import PadronSigPlugin

    return PadronSigPlugin(iface)
