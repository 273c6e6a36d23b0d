"""The digest chart's look: colours, line styles, sizes and limits (bot/charts.py draws it).

Colours come from the colour-blind-safe Okabe-Ito palette and every series also has its own
line style so that it reads in grey scale too; fonts are large because Slack shows the
chart at preview size.
"""

from matplotlib.typing import LineStyleType

MAX_SERIES = 8  # more than this and the chart stops being readable at preview size

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common form of
# colour blindness. Yellow (#F0E442) is weak on white, so it comes late.
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermilion
    "#F0E442",  # yellow
    "#000000",  # black
)
# One line style per palette slot, all different, so the chart also reads in grey scale.
LINE_STYLES: tuple[LineStyleType, ...] = (
    "-",  # solid
    (0, (6.0, 3.0)),  # dashed
    (0, (6.0, 2.0, 1.5, 2.0)),  # dash-dot
    (0, (1.5, 2.0)),  # dotted
    (0, (12.0, 3.0)),  # long dash
    (0, (6.0, 2.0, 1.5, 2.0, 1.5, 2.0)),  # dash-dot-dot
    (0, (12.0, 2.5, 2.0, 2.5)),  # long dash-dot
    (0, (3.0, 1.2, 1.0, 1.2)),  # dense dash-dot
)

FIGSIZE = (8.2, 4.6)  # inches: small enough that the text stays legible in a preview
DPI = 110  # 902 x 506 px
TITLE_SIZE = 15.0
LABEL_SIZE = 13.0
TICK_SIZE = 13.0
LEGEND_SIZE = 12.5
NOTE_SIZE = 12.0

CAUTION_COLOUR = "#5A5A5A"
FREEZE_COLOUR = "#1A1A1A"
INCIDENT_COLOUR = "#777777"
EXCLUSION_COLOUR = "#4477aa"  # hatched: stretches whose events cost no budget
INCIDENT_ALPHA = 0.3  # over white: (214, 214, 214)
GRID_COLOUR = "#E8E8E8"
NOTE_COLOUR = "#444444"
MIN_SPAN = 1 / 200  # of the x range: shorter incidents are widened to stay visible
MAX_LABEL = 28  # characters of an SLO name in the legend
