"""Periods of the programme's reports, in Vietnam's time (UTC+7, no daylight saving)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

VN = timezone(timedelta(hours=7), "ICT")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive
    end: date  # last day, inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("Ngày kết thúc phải sau ngày bắt đầu.")

    @property
    def utc_range(self) -> tuple[datetime, datetime]:
        """[from, to) in UTC, as stored."""
        lo = datetime.combine(self.start, time.min, VN).astimezone(UTC)
        hi = datetime.combine(self.end + timedelta(days=1), time.min, VN).astimezone(UTC)
        return lo, hi

    def days(self) -> list[date]:
        n = (self.end - self.start).days + 1
        return [self.start + timedelta(days=i) for i in range(n)]

    @property
    def label(self) -> str:
        return f"{vn_date(self.start)} – {vn_date(self.end)}"


def vn_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy, as dates are written in Vietnamese documents."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(VN).date() if value.tzinfo else value.date()
    return value.strftime("%d/%m/%Y")


def local_day(moment: datetime) -> date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN).date()


def parse_month(text: str) -> Period:
    m = _MONTH.match(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"Tháng không hợp lệ: {text!r} (cần dạng YYYY-MM, ví dụ 2026-11).")
    start = date(int(m.group(1)), int(m.group(2)), 1)
    nxt = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return Period(start, nxt - timedelta(days=1))


def parse_day(text: str) -> date:
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"Ngày không hợp lệ: {text!r} (cần dạng YYYY-MM-DD hoặc dd/mm/yyyy).")


def parse_period(start: str, end: str) -> Period:
    return Period(parse_day(start), parse_day(end))


def last_days(n: int, today: date | None = None) -> Period:
    today = today or datetime.now(VN).date()
    return Period(today - timedelta(days=n - 1), today)
