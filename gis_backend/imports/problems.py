"""What goes wrong with input, said so that the user can find and fix it."""

from dataclasses import dataclass, field


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
            where.append(f"línea {self.line}")
        if self.field:
            where.append(f"campo «{self.field}»")
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

    def lines(self) -> list[str]:
        head = "Simulación (--dry-run): no se guardó nada. " if self.dry_run else ""
        out = [
            f"{head}Leídos {self.read} · creados {self.created} · actualizados {self.updated} · "
            f"sin cambios {self.unchanged} · rechazados {self.rejected}"
        ]
        if self.rejects_path:
            out.append(f"Filas rechazadas en {self.rejects_path}: corríjalas y vuelva a importar.")
        return out
