"""RDS backup and maintenance windows that only touch (measured on moto 5.2.5).

Stock moto rejects CreateDBInstance / ModifyDBInstance with "The backup window and maintenance window must not
overlap." when the windows merely touch, e.g. backup ``18:00-19:00`` and maintenance ``mon:19:00-mon:20:00``
(SPEC.md's baseline): ``moto.rds.utils.valid_preferred_maintenance_window`` treats an overlap of 0 seconds as an
overlap (``>= 0``). AWS accepts adjacent windows (Terraform and CloudFormation stacks run with backup
``02:00-02:30`` and maintenance ``sun:02:30-sun:03:00``) and rejects only windows that share time.

Patch: ``moto.rds.utils.get_overlap_between_two_date_ranges`` reports touching ranges as -1 second, so only
windows that share at least a second are refused.
"""

from typing import Any

NAME = "rds_adjacent_windows"
SUMMARY = "backup and maintenance windows that only touch are accepted, as AWS does"
MEASURED_ON = "5.2.5"


def apply() -> None:
    from moto.rds import utils

    stock_overlap = utils.get_overlap_between_two_date_ranges

    def overlap_seconds(*ranges: Any) -> int:
        seconds = stock_overlap(*ranges)
        return -1 if seconds == 0 else seconds

    utils.get_overlap_between_two_date_ranges = overlap_seconds
