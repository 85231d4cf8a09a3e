"""What the bot sends back: an answer as message arguments, and an error as one short, true sentence."""
from __future__ import annotations

import io
import logging

import discord
from discord import app_commands

from bot import render
from bot.runner import AnswerTimeout, Busy
from bot.views import AnswerView
from retrieval import Answer, FrontlineError, StoreUnavailable

_log = logging.getLogger(__name__)

PICTURE_NAME = "picture.png"


def message_for(answer: Answer, picture=None) -> dict:
    """Keyword arguments for send(): an embed with buttons (and the briefing's picture shown in it),
    or a short plain abstention."""
    if answer.abstained:
        return {"content": render.abstention_text(answer)}
    message = {"embed": render.answer_embed(answer), "view": AnswerView(answer.answer_id)}
    if picture is not None:
        message["file"] = discord.File(io.BytesIO(picture.png), filename=PICTURE_NAME,
                                       description=render.trim(", ".join(picture.texts[:3]), 1024))
        message["embed"].set_image(url=f"attachment://{PICTURE_NAME}")
    return message


def user_message(error: BaseException, where: str) -> str:
    """A short, true sentence for the user; the full error goes to the log when it is unexpected."""
    if isinstance(error, StoreUnavailable):
        _log.warning("store unavailable in %s: %s", where, error.detail)
        return str(error)
    if isinstance(error, FrontlineError):
        return render.escape(str(error))  # it may quote what the user typed
    if isinstance(error, Busy):
        return "I'm busy answering other questions — please try again in a moment."
    if isinstance(error, AnswerTimeout):
        return "That took too long to answer, sorry. Please try again in a moment."
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here."
    _log.error("unexpected error in %s", where, exc_info=error)
    return "Something went wrong on my side; it has been logged."
