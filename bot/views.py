"""The buttons under an answer: Sources (full passages, only for the clicker) and 👍/👎 votes.

They are DynamicItems whose custom_id carries the answer id, so they keep working after a restart
(Sources then says the answer has expired; votes are still recorded).
"""
from __future__ import annotations

import asyncio

import discord

from bot import render

_ANSWER_ID = r"(?P<answer_id>[0-9a-f]{12})"


class AnswerView(discord.ui.View):
    def __init__(self, answer_id: str) -> None:
        super().__init__(timeout=None)
        self.add_item(SourcesButton(answer_id))
        self.add_item(VoteButton("up", answer_id))
        self.add_item(VoteButton("down", answer_id))


class SourcesButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"fl:src:{_ANSWER_ID}"):
    def __init__(self, answer_id: str) -> None:
        super().__init__(discord.ui.Button(label="Sources", style=discord.ButtonStyle.secondary,
                                           custom_id=f"fl:src:{answer_id}"))
        self.answer_id = answer_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["answer_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        answer = interaction.client.recent.get(self.answer_id)
        if answer is None:
            await interaction.response.send_message(
                "The sources of this answer are no longer kept; ask the question again.", ephemeral=True)
            return
        messages = render.sources_messages(answer)
        await interaction.response.send_message(messages[0], ephemeral=True)
        for message in messages[1:]:
            await interaction.followup.send(message, ephemeral=True)


class VoteButton(discord.ui.DynamicItem[discord.ui.Button], template=rf"fl:vote:(?P<vote>up|down):{_ANSWER_ID}"):
    def __init__(self, vote: str, answer_id: str) -> None:
        super().__init__(discord.ui.Button(emoji="👍" if vote == "up" else "👎", style=discord.ButtonStyle.secondary,
                                           custom_id=f"fl:vote:{vote}:{answer_id}"))
        self.vote, self.answer_id = vote, answer_id

    @classmethod
    async def from_custom_id(cls, interaction, item, match):
        return cls(match["vote"], match["answer_id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        bot = interaction.client
        answer = bot.recent.get(self.answer_id)
        await asyncio.to_thread(bot.feedback.record, answer_id=self.answer_id,
                                question=answer.question if answer else "", vote=self.vote,
                                user_id=interaction.user.id)
        await interaction.response.send_message("Thanks — your vote was recorded.", ephemeral=True)
