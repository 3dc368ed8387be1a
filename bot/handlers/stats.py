"""/stats: figures and a chart in a private chat, the battle board in a group."""

from __future__ import annotations

from telegram import Chat, Update
from telegram.constants import ParseMode

from bot.handlers.common import send_to_private
from bot.runtime import Context
from bot.views import charts
from bot.views.stats import group_stats_text, stats_caption


async def stats_command(update: Update, context: Context) -> None:
    """Send the user's figures with their activity chart (or the group's board in a group)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    services = context.bot_data.services
    if chat.type != Chat.PRIVATE:
        board = await services.stats.group_board(chat.id)
        # One's own figures live in the private chat: the button opens them there.
        await send_to_private(context.bot, chat.id, group_stats_text(board), "stats")
        return
    report = await services.stats.report(user.id, user.first_name)
    # Rendering takes a few hundred milliseconds of CPU: it runs in a worker thread, and this
    # handler is registered non-blocking so other people's updates go on meanwhile.
    png = await charts.render_png(report.figures)
    await context.bot.send_photo(
        chat.id, photo=png, caption=stats_caption(report), parse_mode=ParseMode.HTML
    )
