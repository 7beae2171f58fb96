"""The numbers people read and scan: orders W-10001, returns R-10001, waves WV-00001.

Each is its row's id in a printed form; each comes with its way back from what
was scanned or typed (None for anything that is not one).
"""

from __future__ import annotations

ORDER_NUMBER_PREFIX = "W-"
ORDER_NUMBER_OFFSET = 10000
RMA_PREFIX = "R-"
RMA_OFFSET = 10000
WAVE_CODE_PREFIX = "WV-"


def order_number(order_id: int) -> str:
    return f"{ORDER_NUMBER_PREFIX}{ORDER_NUMBER_OFFSET + order_id}"


def order_id_from_number(code: str) -> int | None:
    """``W-10422`` -> 422; anything else -> None."""
    code = code.strip().upper()
    if not code.startswith(ORDER_NUMBER_PREFIX):
        return None
    digits = code[len(ORDER_NUMBER_PREFIX) :]
    if not (digits.isascii() and digits.isdigit()):
        return None
    order_id = int(digits) - ORDER_NUMBER_OFFSET
    return order_id if order_id > 0 else None


def rma_number(rma_id: int) -> str:
    return f"{RMA_PREFIX}{RMA_OFFSET + rma_id}"


def rma_id_from_number(code: str) -> int | None:
    """``R-10001`` -> 1; anything else -> None."""
    code = code.strip().upper()
    if not code.startswith(RMA_PREFIX):
        return None
    digits = code[len(RMA_PREFIX) :]
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 12:
        return None
    rma_id = int(digits) - RMA_OFFSET
    return rma_id if 0 < rma_id < 2**31 else None


def wave_code(wave_id: int) -> str:
    return f"{WAVE_CODE_PREFIX}{wave_id:05d}"


def wave_id_from_code(code: str) -> int | None:
    """``WV-00012`` -> 12; anything else -> None."""
    code = code.strip().upper()
    digits = code.removeprefix(WAVE_CODE_PREFIX)
    if digits == code or not (digits.isascii() and digits.isdigit()):
        return None
    wave_id = int(digits)
    return wave_id if wave_id > 0 else None
