"""A progress bar over the phases of a long command: linking a million accounts takes minutes
of SQL statements that report nothing while they run, so the bar counts the phases done and
names the one running. On standard error, and only when it is a terminal (the commands pass
``sys.stderr.isatty()``): logs and pipes get the closing summary alone."""

from tqdm import tqdm


class Phases:
    """``with Phases(label, total, enabled) as phases: phases.start(name) … phases.done()``."""

    def __init__(self, label: str, total: int, enabled: bool) -> None:
        self.enabled = enabled  # a phase may show a bar of its own rows too
        self.bar = tqdm(total=total, desc=label, unit=" pasos", disable=not enabled)

    def start(self, name: str) -> None:
        """Name the phase that runs now."""
        self.bar.set_postfix_str(name, refresh=True)

    def done(self) -> None:
        """One phase more is done."""
        self.bar.update(1)

    def __enter__(self) -> "Phases":
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.close()
