"""Parsing values as people write them in billing and cadastral files."""

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

MAX_FIELD_LENGTH = 1000


class ValueProblem(ValueError):
    pass


def not_a_number(value: object) -> ValueProblem:
    return ValueProblem(gettext("«%(value)s» no es un número") % {"value": value})


def clean_text(value: object, max_length: int = MAX_FIELD_LENGTH) -> str:
    if value is None:
        return ""
    text = " ".join(str(value).split())
    if len(text) > max_length:
        raise ValueProblem(
            gettext("valor de %(length)s caracteres; el máximo es %(maximum)s")
            % {"length": len(text), "maximum": max_length}
        )
    return text


def all_clean(texts: Iterable[str]) -> bool:
    """Whether ``clean_text`` keeps each of ``texts`` as it is, length aside: no whitespace but
    single spaces between words. Checked on the texts joined by spaces, blank ones left out, so
    that a space at either end of a text shows as a double one or at an end of the whole; every
    whitespace character but the space is unprintable (so are a few rare others, which only make
    the answer False). 0.15 s for a million texts, where clean_text on each takes 1.5 s."""
    joined = " ".join(filter(None, texts))
    return (
        joined.isprintable()
        and "  " not in joined
        and not joined.startswith(" ")
        and not joined.endswith(" ")
    )


_AMOUNT = re.compile(r"^-?\d+(\.\d+)?$")
_PLAIN_AMOUNT = re.compile(r"\$?(-?[0-9]+(?:\.[0-9]+)?)")


def parse_decimal(value: object) -> Decimal | None:
    """'$1,234.50', '1 234,50', '1234.5' → Decimal; '' → None."""
    if isinstance(value, str) and (plain := _PLAIN_AMOUNT.fullmatch(value)):
        # The usual case, which the steps below would leave as it is but the '$': 3 times
        # faster (0.2 s saved on the 350,000 distinct balances of a million-row padrón).
        return Decimal(plain[1])
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    text = str(value).strip().replace("$", "").replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if "," in text and "." in text:
        # The last separator is the decimal one.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        head, _sep, tail = text.rpartition(",")
        text = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else text.replace(",", "")
    if not _AMOUNT.match(text):
        raise not_a_number(value)
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise not_a_number(value) from exc


def parse_int(value: object, minimum: int | None = 0) -> int | None:
    number = parse_decimal(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise ValueProblem(gettext("«%(value)s» no es un número entero") % {"value": value})
    result = int(number)
    if minimum is not None and result < minimum:
        raise ValueProblem(
            gettext("«%(value)s» es menor que %(minimum)s") % {"value": value, "minimum": minimum}
        )
    return result


def parse_date(value: object) -> date | None:
    """dd/mm/aaaa, dd-mm-aaaa or ISO aaaa-mm-dd."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%Y/%m/%d", "%d/%m/%y"):
        try:
            return datetime.strptime(text.split(" ")[0].split("T")[0], fmt).date()
        except ValueError:
            continue
    raise ValueProblem(
        gettext("«%(value)s» no es una fecha (use dd/mm/aaaa o aaaa-mm-dd)") % {"value": value}
    )
