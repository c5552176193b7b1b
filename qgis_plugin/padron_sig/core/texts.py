"""Marking user strings of the core for translation without importing Qt."""


def QT_TR_NOOP(text: str) -> str:  # the name pylupdate5 collects strings by
    """Returns ``text`` unchanged. pylupdate5 collects it (context ``@default``) into the .ts
    files; the QGIS side translates it with ``tr()`` when it is shown."""
    return text


def same(text: str) -> str:
    """The default ``translate`` of the core's functions: the Spanish source string."""
    return text
