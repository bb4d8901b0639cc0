"""The small-number rule: a figure that counts fewer than `minimum` pupils is shown as "fewer than N".

In a class of three a count of 1 ("1 has not started") or an average over two pupils is close to naming
someone to anyone who knows the class, and a trust lead or a governor usually does; published statistics
suppress small cells for the same reason. Zero is suppressed too: "none of the 3 passed" says something
about each of them. Plain values, no Flask: the trust's figures and the evidence pack both use it.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One cell: a count of pupils, or an average (percent) over `pupils` pupils."""

    value: int | None
    pupils: int  # how many pupils the figure counts or averages over
    minimum: int
    percent: bool = False  # an average score, shown with '%'

    @property
    def hidden(self):
        """Too few pupils behind it to show without risk of pointing at one."""
        return self.pupils < self.minimum

    @property
    def text(self):
        """What the screen and the CSV show: '12', '64%', 'fewer than 5', or 'none yet' for an average of nobody."""
        if self.hidden:
            return f"fewer than {self.minimum}"
        if self.value is None:
            return "none yet"
        return f"{self.value}%" if self.percent else str(self.value)


def count(n, minimum):
    """A count of pupils as a Figure."""
    return Figure(n, n, minimum)


def average(total, pupils, minimum):
    """An average percent (rounded) of `pupils` pupils' scores summing to `total`."""
    return Figure(round(total / pupils) if pupils else None, pupils, minimum, percent=True)
