"""The Challenge page: play regulator for ten years against a hidden revenue path."""

from __future__ import annotations

import html
import secrets

import pandas as pd
import solara

from model import PARAMETER_INFO, ParamInfo
from ui import challenge as game
from ui import charts, theme
from ui import format as fmt
from ui.components import html_table
from ui.glossary import glossify
from ui.live import FigureCard, grid_step

INTRO = (
    "You are the regulator. AI revenue will disappoint: what it reaches in 2030 is hidden "
    "from you, somewhere between the lowest the model allows and the bust scenario's. Each "
    "round lasts two years: set your levers, press <b>Play round</b>, and read what a "
    "regulator can see: the bubble index, credit spreads, bank capital, fund gates and "
    "defaults. Your goal: keep households' losses (depositors, retail fund investors, "
    f"pension funds, insurers) under <b>{fmt.money(game.TARGET_BN)}</b> over the ten years "
    "without choking the build-out. You can move the levers before every round; they apply "
    "from the next quarter.")


def _lever_value(info: ParamInfo, value: float) -> str:
    if info.integer and info.min == 0 and info.max == 1:
        return "on" if value else "off"
    if info.unit.startswith("USD"):
        return fmt.money(value)
    if "share" in info.unit:
        return fmt.pct(value)
    return f"{value:g}"


def watch_figure(frame: pd.DataFrame, losses_col: str) -> charts.Figure:
    """What the regulator sees: households' losses, bubble index, weakest bank capital."""
    opt = charts.base_option(charts.quarter_axis(frame, game.ROUNDS * game.QUARTERS_PER_ROUND),
                       right_axis=True)
    opt["yAxis"] = [charts.yaxis("USD bn", min_=0, max_=charts.nice_range(
        0, max(game.TARGET_BN * 2, float(frame[losses_col].max() or 0) * 1.1))[1]),
        charts.yaxis("index / %", position="right", split=False, min_=0)]
    losses = charts.line("Households' losses", charts.column_data(frame, losses_col, 1, 1),
                          theme.DARK_GREY, width=2.5, area=0.3)
    losses["markLine"] = {"silent": True, "symbol": "none", "animation": False,
                          "data": [{"yAxis": game.TARGET_BN}], "label": {"show": False},
                          "lineStyle": {"color": theme.DISTRESS, "type": "dashed"}}
    opt["series"] = [losses,
                     charts.line("Bubble index", charts.column_data(frame, "bubble_index", 1, 2),
                                  theme.VERMILION, axis=1),
                     charts.line("Weakest bank's capital ratio",
                                  charts.column_data(frame, "bank_capital_ratio_min", 100, 1),
                                  theme.BLACK, axis=1, dashed=True)]
    opt["tooltip"] = charts.tooltip(["USD bn", "x fundamental value", "%"])
    return charts.Figure("challenge", "What the regulator sees", opt, (
        charts.Key("Households' losses, USD bn (left)", theme.DARK_GREY, "area"),
        charts.Key("Target", theme.DISTRESS, "dashed"),
        charts.Key("Bubble index (right)", theme.VERMILION),
        charts.Key("Weakest bank's capital ratio, % (right)", theme.BLACK, "dashed")),
        "AI revenue is hidden until the end.")


def readout_rows(frame: pd.DataFrame, losses_col: str) -> list[tuple[str, str]]:
    """The regulator's dashboard after a round."""
    last = frame.iloc[-1]
    return [("Quarter", str(last["quarter"])),
            ("Households' losses so far", fmt.money(last[losses_col])),
            ("Bubble index", fmt.number(last["bubble_index"])),
            ("Investment-grade spread", f"{fmt.number(last['credit_spread_ig'], 0)} bp"),
            ("Weakest bank's capital ratio", fmt.pct(last["bank_capital_ratio_min"])),
            ("Funds gating redemptions", fmt.count(last["gated_funds"])),
            ("Defaults so far", fmt.count(frame["defaults"].sum())),
            ("AI debt (share off balance sheet)",
             f"{fmt.money(last['ai_debt_total'])} ({fmt.pct(last['off_balance_sheet_share'])})"),
            *([("Lender-of-last-resort loans outstanding", fmt.money(last["lolr_drawn"]))]
              if "lolr_drawn" in frame.columns else [])]


def moves_html(ch: game.Challenge) -> str:
    """The levers the student moved so far, with the quarter each change applies from."""
    rows = [(fmt.quarter(t), PARAMETER_INFO[name].label,
             f"{_lever_value(PARAMETER_INFO[name], old)} → "
             f"{_lever_value(PARAMETER_INFO[name], new)}")
            for t, name, old, new in ch.moves()]
    if not rows:
        return ""
    return html_table(["From", "Lever", "Change"], rows, align_right_from=2,
                      test_id="challenge-moves", caption="Your moves")


def score_html(s: game.Score) -> str:
    """The end screen: the hidden path, the score and what each lever did."""
    info = PARAMETER_INFO[s.revenue_name]
    verdict = ("<b style='color:#0b5d45'>Target met.</b>" if s.passed else
               f"<b style='color:{theme.DISTRESS}'>Target missed.</b>")
    rows = [(PARAMETER_INFO[e.lever].label, fmt.money(e.losses_without), fmt.money(s.losses),
             fmt.money(s.losses - e.losses_without, signed=True)
             if abs(s.losses - e.losses_without) >= 1e-3 else "no change",
             fmt.pct(s.capex / e.capex_without - 1, signed=True) if e.capex_without else "–")
            for e in s.effects]
    table = html_table(["Lever", "Households' losses without your use of it", "With it",
                        "Effect on losses", "Effect on AI capex"], rows,
                       test_id="lever-effects",
                       caption="What each lever did (the same challenge replayed without it)"
                       ) if rows else "<p>You did not move any lever.</p>"
    return (
        f"<div data-testid='challenge-score' class='aidb-model'><span class='tag'>Result · "
        f"challenge number {s.seed}</span>"
        f"<p>The hidden assumption: <b>{html.escape(info.label)} = "
        f"{_lever_value(info, s.revenue_value)}</b> ({html.escape(info.unit)}).</p>"
        f"<p>{verdict} Households' losses: <b>{fmt.money(s.losses)}</b> against a target of "
        f"{fmt.money(s.target)}; with no action they would have been "
        f"{fmt.money(s.losses_no_action)}. AI capex over the ten years: "
        f"{fmt.money(s.capex)}, {fmt.pct(s.capex / s.capex_no_action - 1, signed=True)} "
        f"against no action.</p>"
        f"<p style='font-size:22px'>Score: <b data-testid='points'>{s.points}</b> / 100</p>"
        f"<p class='aidb-src'>{game.LOSS_POINTS} points for keeping households' losses under "
        f"the target (fewer when over it, in proportion), {game.INVESTMENT_POINTS} for AI "
        f"investment kept relative to doing nothing. Type the challenge number on a new game "
        f"to replay the same path.</p>{table}</div>")


@solara.component
def ChallengePage():  # noqa: N802
    """Start, play five two-year rounds with the levers, read the score."""
    game_state = solara.use_reactive(None)
    version = solara.use_reactive(0)
    number = solara.use_reactive("")
    ch: game.Challenge | None = game_state.value
    _ = version.value

    def start() -> None:
        text = number.value.strip()
        seed = int(text) if text.isdigit() else secrets.randbelow(1_000_000)
        game_state.set(game.Challenge(seed))
        version.set(version.value + 1)

    def play() -> None:
        if ch is not None:
            ch.error = None
            ch.play_round()
            version.set(version.value + 1)

    def move(name: str, value: float) -> None:
        if ch is not None:
            ch.set_lever(name, value)  # a refused value shows as a warning, the page stays
            version.set(version.value + 1)

    with solara.Column(gap="8px", classes=["aidb-prose"], style="max-width:1100px"):
        solara.HTML(tag="div", unsafe_innerHTML="<h2>The regulator's challenge</h2><p>"
                    + glossify(INTRO) + "</p>")
        if ch is None:
            with solara.Row(style="align-items:center;flex-wrap:wrap"):
                solara.InputText("Challenge number (optional, to replay one)", value=number,
                                 continuous_update=True)
                solara.Button("Start a challenge", on_click=start, color="primary",
                              icon_name="mdi-flag")
            return
        lever_infos = game.levers()
        with solara.Div(classes=["aidb-live"]):
            with solara.Column(gap="4px", classes=["aidb-side"]):
                solara.HTML(tag="div", unsafe_innerHTML=(
                    f"<b>Round {min(ch.round, game.ROUNDS)} of {game.ROUNDS}</b> "
                    f"<span class='aidb-src'>({fmt.quarter(ch.t)} next)</span>"))
                if not ch.finished:
                    solara.Button(f"Play round {ch.round}", on_click=play, color="primary",
                                  icon_name="mdi-play")
                if ch.error:
                    solara.Warning(ch.error, dense=True)
                elif ch.t > 0 and not ch.finished:
                    solara.Text("Levers you move now apply from the next quarter.",
                                style="font-size:12px")
                for info in lever_infos:
                    LeverControl(info, ch.values.get(info.name, float(info.default)), move,
                                 disabled=ch.finished)
                solara.Button("New challenge", on_click=lambda: game_state.set(None),
                              outlined=True)
            with solara.Column(gap="6px", classes=["aidb-main"]):
                frame = ch.frame()
                col = game.LOSSES
                if len(frame):
                    FigureCard(watch_figure(frame, col), height=300)
                    solara.HTML(tag="div", unsafe_innerHTML=html_table(
                        ["What you can see", "Now"], readout_rows(frame, col),
                        test_id="challenge-readout") + moves_html(ch))
                else:
                    solara.Info("Set your levers, then press Play round 1.")
                if ch.result is not None:
                    solara.HTML(tag="div", unsafe_innerHTML=score_html(ch.result))


@solara.component
def LeverControl(info: ParamInfo, value: float, on_change,  # noqa: N802
                 disabled: bool = False):
    """A lever: switch for 0/1 levers, else a slider over the model's range."""
    tip = glossify(html.escape(info.label))
    solara.HTML(tag="div", unsafe_innerHTML=(
        f"<span style='font-size:13px'>{tip}</span>: <b data-lever='{info.name}'>"
        f"{_lever_value(info, value)}</b>"), attributes={"title": info.description})
    if info.min == 0 and info.max == 1 and info.integer:
        solara.Switch(label=info.label, value=bool(value), disabled=disabled,
                      on_value=lambda v: on_change(info.name, 1.0 if v else 0.0))
    else:
        step = grid_step(float(info.min), float(info.max))
        solara.SliderFloat(info.label, value=float(value), min=float(info.min),
                           max=float(info.max), step=step, disabled=disabled,
                           on_value=lambda v: on_change(info.name, float(v)))
