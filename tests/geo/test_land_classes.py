"""三调 地类编码 → contract classes, per GB/T 21010-2017 附录A and the 三调 工作分类."""

import pytest

from landapproval.geo import land_class


@pytest.mark.parametrize("code, expected", [
    ("0101", "cultivated"), ("0102", "cultivated"), ("0103", "cultivated"),
    ("0201", "other_agricultural"), ("0201K", "other_agricultural"), ("0301", "other_agricultural"),
    ("0305", "other_agricultural"), ("0401", "other_agricultural"), ("0402", "other_agricultural"),
    ("0404", "unused"),
    ("05H1", "construction"), ("0508", "construction"), ("0601", "construction"), ("0603", "construction"),
    ("0702", "construction"), ("08H2", "construction"), ("0810A", "construction"), ("09", None),
    ("1003", "construction"), ("1006", "other_agricultural"),
    ("1101", "unused"), ("1102", "unused"), ("1103", "construction"), ("1104", "other_agricultural"),
    ("1104A", "other_agricultural"), ("1104K", "other_agricultural"), ("1105", "unused"),
    ("1106", "unused"), ("1107", "other_agricultural"), ("1108", "unused"), ("1109", "construction"),
    ("1110", "unused"), ("1201", "construction"), ("1202", "other_agricultural"),
    ("1203", "other_agricultural"), ("1204", "unused"), ("1205", "unused"), ("1206", "unused"),
    ("1207", "unused"), (" 0103 ", "cultivated"), ("1111", None), ("9901", None), ("", None), (None, None),
])
def test_land_class(code, expected):
    assert land_class(code) == expected
