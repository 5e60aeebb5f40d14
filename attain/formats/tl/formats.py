"""Tagalog (Philippines): the date and number conventions used in the Philippines.

Django ships no format module for Tagalog; `FORMAT_MODULE_PATH` in the settings finds this one.
Display formats use Django's date syntax, input formats Python's strftime syntax (ISO first,
so date inputs of type "date" keep working).
"""

DATE_FORMAT = "F j, Y"  # March 1, 2025
TIME_FORMAT = "g:i A"  # 2:30 PM
DATETIME_FORMAT = "F j, Y, g:i A"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "F j"
SHORT_DATE_FORMAT = "m/d/Y"  # 03/01/2025
SHORT_DATETIME_FORMAT = "m/d/Y g:i A"
FIRST_DAY_OF_WEEK = 0  # Sunday

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # '2025-03-01'
    "%m/%d/%Y",  # '03/01/2025'
    "%m/%d/%y",  # '03/01/25'
    "%B %d, %Y",  # 'March 01, 2025'
    "%b %d, %Y",  # 'Mar 01, 2025'
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",  # '2025-03-01 14:30:59'
    "%Y-%m-%d %H:%M:%S.%f",  # '2025-03-01 14:30:59.000200'
    "%Y-%m-%d %H:%M",  # '2025-03-01 14:30'
    "%m/%d/%Y %H:%M:%S",  # '03/01/2025 14:30:59'
    "%m/%d/%Y %H:%M",  # '03/01/2025 14:30'
    "%m/%d/%Y %I:%M %p",  # '03/01/2025 02:30 PM'
]
TIME_INPUT_FORMATS = [
    "%H:%M:%S",  # '14:30:59'
    "%H:%M:%S.%f",  # '14:30:59.000200'
    "%H:%M",  # '14:30'
    "%I:%M %p",  # '02:30 PM'
]

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
