"""WCAG 2.1 AA for every text/background pair the app draws, in both colour schemes: 4.5:1 for
text (the status tones, placeholders, disabled and selected text, tooltips and links included),
3:1 for the outline of a checkbox or radio button against the window, for the edge of a text
field, a spin box or a combo box against it, and for the edge of a menu or a combo box's list
(a popup over the window) against it. The colours are read at run time from the palettes, the
app's tones and the pixels Qt paints — and the contrast is computed here, with the standard's
own formula, not with the app's."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QStyle,
    QStyleOptionButton,
    QTabBar,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from tests.ui.helpers import token_flow

from idconnect_tester.ui import theme
from idconnect_tester.ui.main_window import MainWindow
from idconnect_tester.ui.widgets import read_only_text

TEXT = 4.5
OUTLINE = 3.0
SCHEMES = ("light", "dark")
Role = QPalette.ColorRole
Group = QPalette.ColorGroup


def luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.red())
        + 0.7152 * channel(colour.green())
        + 0.0722 * channel(colour.blue())
    )


def ratio(a: QColor, b: QColor) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def over(colour: QColor, background: QColor) -> QColor:
    """A half-transparent colour as it comes out on the background it is painted over."""
    alpha = colour.alphaF()
    return QColor.fromRgbF(
        *(
            alpha * c + (1 - alpha) * b
            for c, b in zip(
                (colour.redF(), colour.greenF(), colour.blueF()),
                (background.redF(), background.greenF(), background.blueF()),
                strict=True,
            )
        )
    )


@pytest.fixture(params=SCHEMES)
def scheme(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    theme.apply_style(qapp, request.param)
    yield request.param
    theme.apply_style(qapp, "light")


def test_text_colours_of_the_palette_and_the_tones(scheme: str, qapp: QApplication) -> None:
    palette = qapp.palette()
    backgrounds = {
        role: palette.color(role) for role in (Role.Window, Role.Base, Role.AlternateBase)
    }
    pairs: dict[str, tuple[QColor, QColor]] = {
        "window text": (palette.color(Role.WindowText), backgrounds[Role.Window]),
        "field text": (palette.color(Role.Text), backgrounds[Role.Base]),
        "button text": (palette.color(Role.ButtonText), palette.color(Role.Button)),
        "placeholder": (
            over(palette.color(Role.PlaceholderText), backgrounds[Role.Base]),
            backgrounds[Role.Base],
        ),
        "tooltip": (palette.color(Role.ToolTipText), palette.color(Role.ToolTipBase)),
        "link on a field": (palette.color(Role.Link), backgrounds[Role.Base]),
        "link on the window": (palette.color(Role.Link), backgrounds[Role.Window]),
    }
    # Selected rows and text (history, checks, any selection), in a focused window and not.
    for group in (Group.Active, Group.Inactive):
        pairs[f"selected text ({group.name})"] = (
            palette.color(group, Role.HighlightedText),
            palette.color(group, Role.Highlight),
        )
    for role, background_role in (
        (Role.WindowText, Role.Window),
        (Role.Text, Role.Base),
        (Role.ButtonText, Role.Button),
    ):
        pairs[f"disabled {role.name}"] = (
            palette.color(Group.Disabled, role),
            palette.color(Group.Disabled, background_role),
        )
    tones = theme.colours()
    for tone in theme.Tone:
        for role, background in backgrounds.items():
            pairs[f"{tone.value} on {role.name}"] = (tones.for_tone(tone), background)

    low = {name: round(ratio(*pair), 2) for name, pair in pairs.items() if ratio(*pair) < TEXT}
    assert low == {}, f"below {TEXT}:1 in the {scheme} scheme"


def test_a_countdown_bar_stands_out_from_its_groove_and_an_older_one_is_the_dimmest(
    scheme: str, qapp: QApplication
) -> None:
    """Every fill a countdown bar takes reaches 3:1 against the groove (the field colour).
    An older token's bar is grey and well below any live or warning one: in the dark scheme
    the muted text colour, as a fill, had outshone the green bars beside it."""
    groove = qapp.palette().color(Role.Base)
    tones = theme.colours()
    fills = {tone: tones.fill_for_tone(tone) for tone in theme.Tone}
    low = {t.value: round(ratio(c, groove), 2) for t, c in fills.items() if ratio(c, groove) < 3}
    assert low == {}, f"below 3:1 in the {scheme} scheme"
    # Well below: a grey as bright as a green reads as brighter (it is near white).
    older = ratio(fills[theme.Tone.MUTED], groove)
    for tone in (theme.Tone.OK, theme.Tone.WARNING):
        assert older <= 0.6 * ratio(fills[tone], groove), (scheme, tone)


def test_a_field_that_is_off_does_not_look_like_one_to_type_in(
    scheme: str, qapp: QApplication
) -> None:
    """Code while the grant is refresh_token: its box is not the one an enabled field has."""
    palette = qapp.palette()
    assert palette.color(Group.Disabled, Role.Base) != palette.color(Group.Active, Role.Base)


@pytest.mark.parametrize(
    ("kind", "indicator_element"),
    [
        (QCheckBox, QStyle.SubElement.SE_CheckBoxIndicator),
        (QRadioButton, QStyle.SubElement.SE_RadioButtonIndicator),
    ],
)
def test_an_unticked_checkbox_or_radio_button_can_be_seen(
    scheme: str,
    qtbot,
    qapp: QApplication,
    kind: type[QCheckBox | QRadioButton],
    indicator_element: QStyle.SubElement,
) -> None:
    box = kind("offline_access")
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    option = QStyleOptionButton()
    option.initFrom(box)
    indicator = box.style().subElementRect(indicator_element, option, box)
    image = box.grab().toImage()
    window = qapp.palette().color(Role.Window)
    # The left edge of the indicator, at its middle: the outline, wherever Fusion puts it.
    middle = indicator.center().y()
    edge = [
        image.pixelColor(QPoint(x, middle)) for x in range(indicator.left(), indicator.left() + 3)
    ]
    best = max(ratio(colour, window) for colour in edge)
    assert best >= OUTLINE, f"{kind.__name__} outline {best:.2f}:1 in the {scheme} scheme"


def test_a_text_field_has_an_edge_that_can_be_seen(scheme: str, qtbot, qapp: QApplication) -> None:
    """An editable field (App token) must not look like the read-only text beside it."""
    edit = QLineEdit("sbx:emulator-app-token")
    qtbot.addWidget(edit)
    edit.show()
    qtbot.waitExposed(edit)
    image = edit.grab().toImage()
    window = qapp.palette().color(Role.Window)
    middle = edit.height() // 2
    edge = [image.pixelColor(QPoint(x, middle)) for x in range(0, 3)]
    best = max(ratio(colour, window) for colour in edge)
    assert best >= OUTLINE, f"field edge {best:.2f}:1 in the {scheme} scheme"


def spin_box() -> QWidget:
    """History's "Keep last 1000"."""
    spin = QSpinBox()
    spin.setRange(10, 100_000)
    spin.setPrefix("Keep last ")
    spin.setValue(1000)
    return spin


def combo_box() -> QWidget:
    """History's status filter, closed."""
    combo = QComboBox()
    combo.addItems(["All", "Success (2xx)", "Network errors"])
    return combo


def editable_combo_box() -> QWidget:
    combo = QComboBox()
    combo.setEditable(True)
    combo.addItems(["https://idp.example/authorize"])
    return combo


@pytest.mark.parametrize("make", [spin_box, combo_box, editable_combo_box])
def test_a_spin_box_or_combo_box_has_an_edge_that_can_be_seen(
    scheme: str, qtbot, qapp: QApplication, make: Callable[[], QWidget]
) -> None:
    """Fusion draws these as complex controls, not with a text field's frame: a dark spin box
    was a slightly darker patch with no edge beside fields that have one. Every side, the
    buttons' end included, must stand 3:1 against the window."""
    box = make()
    qtbot.addWidget(box)
    box.show()
    qtbot.waitExposed(box)
    image = box.grab().toImage()
    window = qapp.palette().color(Role.Window)
    right, bottom = image.width() - 1, image.height() - 1
    # The outermost three pixels inwards from each side (wherever Fusion puts its edge): at
    # the middle of the left and right sides, and along the top and bottom both over the text
    # and over the buttons (or the arrow) at the right end.
    sides = {
        "left": [QPoint(x, bottom // 2) for x in range(3)],
        "right": [QPoint(right - x, bottom // 2) for x in range(3)],
        "top": [QPoint(right // 4, y) for y in range(3)],
        "bottom": [QPoint(right // 4, bottom - y) for y in range(3)],
        "top by the buttons": [QPoint(right - 6, y) for y in range(3)],
        "bottom by the buttons": [QPoint(right - 6, bottom - y) for y in range(3)],
    }
    best = {
        side: round(max(ratio(image.pixelColor(at), window) for at in points), 2)
        for side, points in sides.items()
    }
    low = {side: value for side, value in best.items() if value < OUTLINE}
    assert low == {}, f"{make.__name__} edge in the {scheme} scheme"


def push_button() -> QWidget:
    return QPushButton("Get code")


def text_field() -> QWidget:
    return QLineEdit("sbx:emulator-app-token")


def list_view() -> QWidget:
    tree = QTreeWidget()
    tree.addTopLevelItem(QTreeWidgetItem(["signature", "pass"]))
    return tree


def text_view() -> QWidget:
    return read_only_text("claims", "Claims")


def tab_bar() -> QWidget:
    """The docks' tabs, the claims/header tabs: the tab in front has the focus."""
    bar = QTabBar()
    bar.addTab("Claims")
    bar.addTab("Header")
    return bar


@pytest.mark.parametrize(
    "make", [push_button, text_field, combo_box, spin_box, list_view, text_view, tab_bar]
)
def test_the_keyboard_focus_can_be_seen(
    scheme: str, qtbot, qapp: QApplication, make: Callable[[], QWidget]
) -> None:
    """Where the keyboard is shows as an edge of its own, 3:1 or more against the window:
    Fusion's was its selection blue made darker, ~1.9:1 on a dark button, and on fields the
    outline drawn over Fusion's edge hid it altogether."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    other, control = QLineEdit("elsewhere"), make()
    layout.addWidget(other)
    layout.addWidget(control)
    qtbot.addWidget(holder)
    holder.show()
    qtbot.waitExposed(holder)
    holder.activateWindow()

    # A list's or a text view's frame is one pixel: the view inside covers the rest.
    column = 0 if make in (list_view, text_view) else 1

    def edge_pixel() -> QColor:
        image = control.grab().toImage()
        return image.pixelColor(QPoint(column, image.height() // 2))

    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    unfocused = edge_pixel()
    control.setFocus()
    qtbot.waitUntil(control.hasFocus)
    focused = edge_pixel()
    window = qapp.palette().color(Role.Window)
    assert ratio(focused, window) >= OUTLINE, f"{make.__name__} in the {scheme} scheme"
    assert focused != unfocused and ratio(focused, unfocused) >= 1.3, make.__name__


def edge_contrast(image: QImage, window: QColor) -> dict[str, float]:
    """The contrast of a popup's outermost pixels with the window, at the middle of each side."""
    right, bottom = image.width() - 1, image.height() - 1
    sides = {
        "left": QPoint(0, bottom // 2),
        "right": QPoint(right, bottom // 2),
        "top": QPoint(right // 2, 0),
        "bottom": QPoint(right // 2, bottom),
    }
    return {side: round(ratio(image.pixelColor(at), window), 2) for side, at in sides.items()}


def test_a_context_menu_has_an_edge_that_can_be_seen(
    scheme: str, qtbot, qapp: QApplication
) -> None:
    """A dark menu over the dark window: its edge is all that tells the two apart — also where
    its highlighted item touches it."""
    edit = QLineEdit("sbx:emulator-app-token")
    qtbot.addWidget(edit)
    edit.show()
    qtbot.waitExposed(edit)
    edit.insert("!")  # something to undo: the menu's top item, Undo, can be highlighted
    menu = edit.createStandardContextMenu()  # the one a right-click opens
    assert menu is not None
    menu.popup(edit.mapToGlobal(edit.rect().center()))
    qtbot.waitExposed(menu)
    window = qapp.palette().color(Role.Window)
    try:
        for highlighted in (False, True):
            if highlighted:  # the pointer on the first item: drawn in the selection colour
                top = menu.actions()[0]
                assert top.isEnabled()
                menu.setActiveAction(top)
            edges = edge_contrast(menu.grab().toImage(), window)
            low = {side: value for side, value in edges.items() if value < OUTLINE}
            assert low == {}, f"menu edge in the {scheme} scheme (highlighted: {highlighted})"
            # One unbroken edge: the highlighted item, at the top, stays inside it.
            assert len(set(edges.values())) == 1, edges
    finally:
        menu.close()
        menu.deleteLater()


def test_a_combo_boxs_list_has_an_edge_that_can_be_seen(
    scheme: str, qtbot, qapp: QApplication
) -> None:
    """History's status filter, opened: its list floats over the window like a menu."""
    combo = QComboBox()
    combo.addItems(["All", "Success (2xx)", "Network errors"])
    qtbot.addWidget(combo)
    combo.show()
    qtbot.waitExposed(combo)
    combo.showPopup()
    popup = combo.view().window()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    try:
        edges = edge_contrast(popup.grab().toImage(), qapp.palette().color(Role.Window))
        low = {side: value for side, value in edges.items() if value < OUTLINE}
        assert low == {}, f"combo list edge in the {scheme} scheme"
    finally:
        combo.hidePopup()


def labels_and_fields(window: MainWindow) -> Iterator[tuple[str, QColor, QColor]]:
    for label in window.findChildren(QLabel):
        if label.isVisible() and label.text():
            palette = label.palette()
            yield (
                label.objectName() or label.text()[:30],
                palette.color(label.foregroundRole()),
                palette.color(label.backgroundRole()),
            )
    for edit in window.findChildren(QLineEdit):
        if edit.isVisible() and edit.isEnabled() and edit.placeholderText() and not edit.text():
            palette = edit.palette()
            base = palette.color(Role.Base)
            placeholder = over(palette.color(Role.PlaceholderText), base)
            if base.alpha() == 255:
                yield f"{edit.objectName()} placeholder", placeholder, base


@pytest.mark.parametrize("switch_to", SCHEMES)
def test_every_label_reads_after_a_scheme_switch(window: MainWindow, qtbot, switch_to: str) -> None:
    """The window was built in one scheme and is switched to the other, as View ▸ Colour scheme
    (or the desktop) does: every label and placeholder must follow."""
    window.set_scheme("dark" if switch_to == "light" else "light")
    token_flow(window, qtbot)  # tones everywhere: verdicts, freshness, the status bar
    window.set_scheme(switch_to)
    window_colour = QApplication.palette().color(Role.Window)
    panel = window.countdown_panel  # Qt hands a new palette down to the widgets a moment later
    qtbot.waitUntil(lambda: panel.palette().color(Role.Window) == window_colour, timeout=2000)
    try:
        low = {
            name: round(ratio(fg, bg), 2)
            for name, fg, bg in labels_and_fields(window)
            if ratio(fg, bg) < TEXT
        }
        assert low == {}, f"below {TEXT}:1 after switching to {switch_to}"
    finally:
        window.set_scheme("light")


@pytest.mark.parametrize("switch_to", SCHEMES)
def test_a_docks_float_and_close_buttons_can_be_seen(
    window: MainWindow, qtbot, switch_to: str
) -> None:
    """Their glyphs are all that shows of them (the button's panel appears on hover only): the
    darkest or lightest pixel a glyph paints stands 3:1 against the window, in the scheme the
    window was built in and after a switch to the other."""
    window.set_scheme("dark" if switch_to == "light" else "light")
    window.set_scheme(switch_to)
    try:
        background = QApplication.palette().color(Role.Window)
        dock = window.docks["countdown"]
        # Qt hands a new palette down to the widgets a moment later.
        qtbot.waitUntil(lambda: dock.palette().color(Role.Window) == background, timeout=2000)
        buttons = [
            button
            for button in dock.findChildren(QAbstractButton)
            if button.objectName() in ("qt_dockwidget_closebutton", "qt_dockwidget_floatbutton")
        ]
        assert len(buttons) == 2
        for button in buttons:
            image = button.grab().toImage()
            best = max(
                ratio(image.pixelColor(x, y), background)
                for x in range(image.width())
                for y in range(image.height())
            )
            assert best >= OUTLINE, f"{button.objectName()} in {switch_to}: {best:.2f}:1"
    finally:
        window.set_scheme("light")


@pytest.mark.parametrize("shape", [QTabBar.Shape.RoundedSouth, QTabBar.Shape.RoundedNorth])
def test_the_tab_in_front_is_marked_by_a_line_that_can_be_seen(
    scheme: str, shape: QTabBar.Shape, qtbot, qapp: QApplication
) -> None:
    """The docks' tabs (below them) and the claims/header tabs (above): the tab in front has
    a line of 3:1 or more against the window on its outer edge, the others none."""
    bar = QTabBar()
    bar.setShape(shape)
    bar.addTab("Response · 20:11:13")
    bar.addTab("Error")
    qtbot.addWidget(bar)
    bar.show()
    qtbot.waitExposed(bar)
    image = bar.grab().toImage()
    window = qapp.palette().color(Role.Window)

    def edge(rect: QRect) -> int:  # the outer edge's second row of pixels
        return rect.bottom() - 1 if shape is QTabBar.Shape.RoundedSouth else rect.top() + 1

    front, behind = bar.tabRect(0), bar.tabRect(1)
    mark = image.pixelColor(front.center().x(), edge(front))
    assert ratio(mark, window) >= OUTLINE, (scheme, mark.name())
    other = image.pixelColor(behind.center().x(), edge(behind))
    assert ratio(other, window) < OUTLINE, (scheme, other.name())
