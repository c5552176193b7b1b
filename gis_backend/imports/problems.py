"""What goes wrong with input, said so that the user can find and fix it."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Messages more than one module gives.
DRY_RUN = _("Simulación (--dry-run): no se guardó nada.")
MISSING_COLUMN = _("falta esta columna obligatoria")
REQUIRED_EMPTY = _("vacía; es obligatoria")
# The column a rejects file adds to the rows of the input (CSV or layer) with their reason.
REJECT_REASON = "motivo_rechazo"
OUTSIDE_SERVICE_AREA = _("fuera del área de servicio del organismo")


@dataclass(frozen=True)
class Problem:
    """One problem in one place of an input file. ``line`` is the CSV line or the feature number."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(gettext("línea %(line)s") % {"line": self.line})
        if self.field:
            where.append(gettext("campo «%(field)s»") % {"field": self.field})
        return f"{', '.join(where)}: {self.message}"


class ImportFileError(Exception):
    """The file as a whole cannot be imported; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Summary:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    rejects_path: str = ""
    dry_run: bool = False
    # A padrón's balances at a cut-off their accounts had none for (a month's new facts, not
    # changes to the accounts: those count as unchanged unless something else changed).
    new_balances: int = 0
    cut_off: date | None = None

    def lines(self) -> list[str]:
        counts = gettext(
            "Leídos %(read)s · creados %(created)s · actualizados %(updated)s · "
            "sin cambios %(unchanged)s · rechazados %(rejected)s"
        ) % {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }
        out = [f"{DRY_RUN} {counts}" if self.dry_run else counts]
        if self.new_balances and self.cut_off:
            out.append(
                gettext("Saldos nuevos al corte %(cut_off)s: %(balances)s")
                % {"cut_off": self.cut_off.strftime("%d/%m/%Y"), "balances": self.new_balances}
            )
        if self.rejects_path:
            out.append(
                gettext("Filas rechazadas en %(path)s: corríjalas y vuelva a importar.")
                % {"path": self.rejects_path}
            )
        return out
