"""The Telegram Application over the core: updates in, `Assistant.handle` replies out.

Every text becomes one `IncomingMessage(text, user, channel="telegram")`; the core decides
what to answer. This module only adapts: commands to the core's commands, button presses to
their payloads, the reply to HTML and an inline keyboard. What Telegram alone needs lives
here too: the "typing" action, flood protection, the message ids `/xoa` deletes, and what
to say to a photo or a sticker.

In groups the bot answers only when addressed: a command, an @mention, or a reply to one
of its messages. Everything else in a group is ignored without being read further.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from telegram import (
    BotCommand,
    ChatMemberUpdated,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.courier import Courier
from bot.settings import Settings
from bot.telegram import texts
from bot.telegram.guards import Clock, MessageLog
from bot.telegram.ordering import PerChatUpdateProcessor
from bot.telegram.render import CallbackTable, render, visible_text
from handlers.admission import always_admitted
from handlers.commands import (
    SLASH_COMMANDS,
    command_for_slash,
    role_for_start,
)
from handlers.models import APOLOGY_TEXT, CALL_111, Button, IncomingMessage, Reply
from handlers.pipeline import Assistant
from handlers.ratelimit import SLOW_DOWN_TEXT, RateLimiter, Verdict
from handlers.reading import MessageReading

log = logging.getLogger(__name__)

CHANNEL = "telegram"
CHANNEL_KEY = "childsafe.channel"  # where the Channel sits in application.bot_data
TYPING_REFRESH_SECONDS = 4.5  # Telegram shows "typing" for about 5 seconds per action
DELETE_BATCH = 100  # deleteMessages takes at most 100 ids

ALLOWED_UPDATES: list[str] = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]

GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})

Context: TypeAlias = ContextTypes.DEFAULT_TYPE
TelegramApp: TypeAlias = Application[Any, Any, Any, Any, Any, Any]


@dataclass(slots=True)
class Channel:
    """What the callbacks share: the core, and the channel's bounded in-memory state."""

    assistant: Assistant
    flood: RateLimiter
    messages: MessageLog
    callbacks: CallbackTable

    def user_key(self, user: str) -> str:
        return self.assistant.user_key(CHANNEL, user) or ""

    def conversation_key(self, chat_id: int, user: str) -> str:
        """One person in one chat (in a private chat, the chat and the person are one)."""
        return self.assistant.user_key(CHANNEL, f"{chat_id}/{user}") or ""


def build_application(
    settings: Settings,
    assistant: Assistant,
    *,
    webhook: bool = False,
    clock: Clock | None = None,
    post_init: Callable[[TelegramApp], Coroutine[Any, Any, None]] | None = None,
) -> TelegramApp:
    """The Application, wired: handlers, rate limiter, per-chat ordering, error handler.

    `webhook=True` builds it without an updater: the web app's route feeds `update_queue`.
    """
    settings.require("telegram_token")
    assert settings.telegram_token is not None
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs carry the token
    # PTB logs whole updates (text, ids) at DEBUG; keep them out even under `childsafe -v`.
    ptb_log = logging.getLogger("telegram")
    ptb_log.setLevel(max(logging.INFO, ptb_log.getEffectiveLevel()))
    base_url, file_url = api_urls(settings.telegram_api_base_url)
    builder = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(base_url)
        .base_file_url(file_url)
        .rate_limiter(AIORateLimiter(max_retries=2))
        .concurrent_updates(PerChatUpdateProcessor())
    )
    if webhook:
        builder = builder.updater(None)
    if post_init is not None:
        builder = builder.post_init(post_init)
    application: TelegramApp = builder.build()
    shared = assistant.state.shared
    flood = RateLimiter(settings.rate_limit_per_minute, shared=shared, clock=clock)
    application.bot_data[CHANNEL_KEY] = Channel(
        assistant, flood, MessageLog(shared=shared), CallbackTable(shared=shared)
    )
    add_handlers(application)
    return application


def api_urls(base_url: str) -> tuple[str, str]:
    """The Bot API base URL and the matching file URL (`…/bot` → `…/file/bot`)."""
    base = base_url.strip()
    if base.endswith("/bot"):
        return base, base[: -len("bot")] + "file/bot"
    if base.endswith("/bot{token}"):
        return base, base[: -len("bot{token}")] + "file/bot{token}"
    return base, base.rstrip("/") + "/file/"


def add_handlers(application: TelegramApp) -> None:
    new_only = filters.UpdateType.MESSAGE
    application.add_handler(TypeHandler(Update, gatekeeper), group=-1)
    application.add_handler(CommandHandler("start", on_start, filters=new_only))
    application.add_handler(CommandHandler("xoa", on_erase, filters=new_only))
    for name in SLASH_COMMANDS.keys() - {"start", "xoa"}:
        application.add_handler(CommandHandler(name, on_command, filters=new_only))
    application.add_handler(MessageHandler(filters.COMMAND & new_only, on_unknown_command))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(filters.CAPTION & new_only, on_caption))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(ChatMemberHandler(on_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(
        MessageHandler(new_only & ~filters.StatusUpdate.ALL & ~filters.TEXT, on_attachment)
    )
    application.add_error_handler(on_error)


async def register_commands(application: TelegramApp) -> None:
    """Publish the command menu with its Vietnamese descriptions (setMyCommands)."""
    await application.bot.set_my_commands(
        [BotCommand(name, description) for name, description in texts.COMMAND_MENU.items()]
    )


# ---------------------------------------------------------------------------- callbacks
async def gatekeeper(update: Update, context: Context) -> None:
    """Runs first: ignore what is not for the bot, remember message ids, stop floods."""
    channel = channel_of(context)
    if update.my_chat_member is not None:
        return
    chat, user = update.effective_chat, sender_of(update)
    if chat is None or user is None:
        raise ApplicationHandlerStop
    message = update.message or update.edited_message
    if message is not None and not addressed_to_bot(message, context.bot.username, context.bot.id):
        raise ApplicationHandlerStop
    if update.message is not None:
        channel.messages.add(channel.conversation_key(chat.id, user), update.message.message_id)
    verdict = channel.flood.check(channel.user_key(user))
    # the update's text, read once: here if it must be triaged, else by the core (#18)
    reading = MessageReading(admitted_text(update, channel.callbacks, context.bot.username))
    setattr(context, _READING, reading)  # one context per update, shared by its handlers
    if verdict is Verdict.PASS or await asyncio.to_thread(always_admitted, reading):
        return
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    if verdict is Verdict.NOTIFY:
        log.info("telegram: a user went over the message limit; muted for a while")
        await send(context, chat.id, user, SLOW_DOWN_TEXT, [CALL_111])
    raise ApplicationHandlerStop


async def on_start(update: Update, context: Context) -> None:
    """/start, with or without a deep-link payload: greeting, privacy note, role buttons."""
    _, user = _chat_and_user(update)
    reply = await core_command(context, "start", user)
    await deliver(update, context, reply)
    if role := role_for_start((context.args or [""])[0]):
        await answer_text(update, context, f"@role:{role}")


async def on_command(update: Update, context: Context) -> None:
    """/help, /vaitro, /khancap, /baomat: the core's command of the same meaning."""
    message = update.effective_message
    assert message is not None and message.text is not None
    command = command_for_slash(message.text.split()[0])
    _, user = _chat_and_user(update)
    if command == "handoff" and await private_only(update, context):
        return
    reply = await core_command(context, command, user)
    await deliver(update, context, reply)


async def on_erase(update: Update, context: Context) -> None:
    """/xoa: delete what can be deleted of the chat, forget the user, one neutral line."""
    _, user = _chat_and_user(update)
    reply = await core_command(context, "erase", user)
    await deliver(update, context, reply)


async def on_unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have: show what it can do."""
    _, user = _chat_and_user(update)
    await deliver(update, context, await core_command(context, "help", user))


async def on_text(update: Update, context: Context) -> None:
    """A text message (or an edited one, answered as new): the core's answer."""
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text
    if message.chat.type in GROUP_TYPES and context.bot.username:
        text = strip_mention(text, context.bot.username)
    await answer_text(update, context, text)


async def on_caption(update: Update, context: Context) -> None:
    """A photo or file with a caption: answer the caption, and say only the words were read."""
    message = update.effective_message
    assert message is not None and message.caption is not None
    text = message.caption
    if message.chat.type in GROUP_TYPES and context.bot.username:
        text = strip_mention(text, context.bot.username)
    await answer_text(update, context, text, note=texts.CAPTION_NOTE)


async def on_attachment(update: Update, context: Context) -> None:
    """Voice, stickers, photos, locations...: say what the bot can read, and give 111."""
    message = update.effective_message
    assert message is not None
    chat, user = _chat_and_user(update)
    notice = texts.attachment_notice(attachment_kind(message))
    await send(context, chat, user, notice, [CALL_111], reply_to=_quote(update))


async def on_button(update: Update, context: Context) -> None:
    """An inline button: stop the spinner, then answer its payload as if it were typed."""
    query = update.callback_query
    assert query is not None
    with contextlib.suppress(TelegramError):  # a query older than ~15 minutes cannot be answered
        await query.answer()
    payload = channel_of(context).callbacks.payload_for(query.data or "") or "@cmd:help"
    await answer_text(update, context, payload)


async def on_membership(update: Update, context: Context) -> None:
    """Added to a group: say once how the bot behaves there."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None or change.chat.type not in GROUP_TYPES:
        return
    was_in = change.old_chat_member.status in _PRESENT
    is_in = change.new_chat_member.status in _PRESENT
    if is_in and not was_in and context.bot.username:
        intro = texts.GROUP_INTRO.format(username=context.bot.username)
        with contextlib.suppress(TelegramError):
            await send(context, change.chat.id, None, intro, [])


_PRESENT = frozenset({ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR})


async def on_error(update: object, context: Context) -> None:
    """Log what failed (never the text or who sent it), then still answer with 111."""
    error = context.error
    log.error("telegram: handling an update failed: %s", type(error).__name__, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_message is None and update.callback_query is None:
        return
    user = sender_of(update)
    with contextlib.suppress(Exception):
        await send(context, update.effective_chat.id, user, APOLOGY_TEXT, [CALL_111])


# ---------------------------------------------------------------------------- the core
HANDOFF_PAYLOADS = frozenset({"@cmd:handoff", "@intent:human_handoff"})


async def answer_text(update: Update, context: Context, text: str, note: str = "") -> None:
    chat, user = _chat_and_user(update)
    if text in HANDOFF_PAYLOADS and await private_only(update, context):
        return
    message = IncomingMessage(text, user=user, channel=CHANNEL, reading=gatekeeper_reading(context))
    assistant = channel_of(context).assistant
    if await asyncio.to_thread(in_handoff, assistant, user):
        # a person holds the chat: no "typing…" from the bot, whose answer will not come
        reply = await asyncio.to_thread(assistant.handle, message)
    else:
        async with typing(context, chat):
            reply = await asyncio.to_thread(assistant.handle, message)
    if note:
        reply.text = f"{reply.text}\n\n{note}"
    await deliver(update, context, reply)


async def core_command(context: Context, name: str, user: str) -> Reply:
    message = IncomingMessage(text="", user=user, channel=CHANNEL)
    return await asyncio.to_thread(channel_of(context).assistant.command, name, message)


async def deliver(update: Update, context: Context, reply: Reply) -> None:
    """Send the core's reply; after an erase, first delete the messages still deletable.
    A message passed to a counsellor (`handoff_forwarded`) gets no answer at all."""
    if reply.kind == "handoff_forwarded":
        return
    chat, user = _chat_and_user(update)
    if reply.kind == "erase" and reply.ok:  # erased: delete the messages too
        await delete_conversation(context, chat, user)
        quote = None  # the message it would quote is gone
    else:
        quote = _quote(update)
    text = reply.text
    if reply.urgent and update.effective_chat and update.effective_chat.type in GROUP_TYPES:
        text += "\n\n" + texts.GROUP_PRIVATE_HINT.format(username=context.bot.username)
    log.debug("telegram: reply kind=%s intent=%s", reply.kind, reply.intent)
    await send(context, chat, user, text, reply.buttons, reply_to=quote)


async def delete_conversation(context: Context, chat_id: int, user: str) -> None:
    """Delete this person's recent messages here (theirs and the bot's), ignoring refusals."""
    channel = channel_of(context)
    ids = channel.messages.take_deletable(channel.conversation_key(chat_id, user))
    for start in range(0, len(ids), DELETE_BATCH):
        batch = ids[start : start + DELETE_BATCH]
        try:
            await context.bot.delete_messages(chat_id, batch)
        except TelegramError:  # e.g. an older self-hosted Bot API: one at a time
            for message_id in batch:
                with contextlib.suppress(TelegramError):
                    await context.bot.delete_message(chat_id, message_id)


async def send(
    context: Context,
    chat_id: int,
    user: str | None,
    text: str,
    buttons: Sequence[Button],
    reply_to: int | None = None,
) -> None:
    """Send text (core markup) as one or more HTML messages; buttons go under the last."""
    channel = channel_of(context)
    rendered = render(text, buttons, channel.callbacks)
    conversation = channel.conversation_key(chat_id, user) if user else None
    for index, chunk in enumerate(rendered.chunks):
        last = index == len(rendered.chunks) - 1
        sent = await _send_chunk(
            context,
            chat_id,
            chunk,
            rendered.keyboard if last else None,
            reply_to if index == 0 else None,
        )
        if conversation:
            channel.messages.add(conversation, sent.message_id)


async def _send_chunk(
    context: Context, chat_id: int, chunk: str, keyboard: Any, reply_to: int | None
) -> Message:
    options: dict[str, Any] = {
        "reply_markup": keyboard,
        "link_preview_options": LinkPreviewOptions(is_disabled=True),
    }
    if reply_to is not None:
        options["reply_parameters"] = ReplyParameters(reply_to, allow_sending_without_reply=True)
    try:
        return await context.bot.send_message(chat_id, chunk, parse_mode=ParseMode.HTML, **options)
    except BadRequest as exc:
        if "entit" not in str(exc).lower():
            raise
        # Never leave the user without an answer over formatting: send it as plain text.
        log.warning("telegram: HTML refused (%s); sent as plain text", exc)
        return await context.bot.send_message(chat_id, visible_text(chunk), **options)


@contextlib.asynccontextmanager
async def typing(context: Context, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" while the core works; the first action is sent before the answer."""
    first_sent = asyncio.Event()

    async def keep_typing() -> None:
        while True:
            try:
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError:
                pass
            finally:
                first_sent.set()
            await asyncio.sleep(TYPING_REFRESH_SECONDS)

    task = asyncio.create_task(keep_typing())
    try:
        yield
        await first_sent.wait()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# ---------------------------------------------------------------------------- handoff (#15)
COURIER_KEY = "childsafe.courier"


def handoff_sender(application: TelegramApp) -> Callable[[dict[str, str], str], Any]:
    """Sends a counsellor's message to the user's private chat, as HTML like every reply."""

    async def send(address: dict[str, str], text: str) -> bool:
        channel = application.bot_data[CHANNEL_KEY]
        rendered = render(text, [], channel.callbacks)
        chat_id = int(address["to"])
        for chunk in rendered.chunks:
            try:
                await application.bot.send_message(
                    chat_id,
                    chunk,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except BadRequest as exc:
                if "entit" not in str(exc).lower():
                    raise
                await application.bot.send_message(chat_id, visible_text(chunk))
        return True

    return send


def in_handoff(assistant: Assistant, user: str) -> bool:
    key = assistant.user_key(CHANNEL, user)
    return (
        assistant.handoff is not None and key is not None and bool(assistant.handoff.open_case(key))
    )


async def private_only(update: Update, context: Context) -> bool:
    """A counsellor talks with one person in a private chat, never in a group: there the
    request gets the hint to write privately (True: handled here)."""
    chat = update.effective_chat
    if chat is None or chat.type not in GROUP_TYPES:
        return False
    hint = texts.GROUP_PRIVATE_HINT.format(username=context.bot.username)
    await send(context, chat.id, sender_of(update), hint, [], reply_to=_quote(update))
    return True


async def start_courier(application: TelegramApp) -> None:
    """Start delivering counsellors' messages (when the handoff is on)."""
    channel = application.bot_data.get(CHANNEL_KEY)
    if not isinstance(channel, Channel) or channel.assistant.handoff is None:
        return
    courier = Courier(channel.assistant.handoff, CHANNEL, handoff_sender(application))
    application.bot_data[COURIER_KEY] = courier
    await courier.start()


async def stop_courier(application: TelegramApp) -> None:
    courier = application.bot_data.pop(COURIER_KEY, None)
    if isinstance(courier, Courier):
        await courier.stop()


# ---------------------------------------------------------------------------- helpers
def channel_of(context: Context) -> Channel:
    channel = context.bot_data[CHANNEL_KEY]
    assert isinstance(channel, Channel)
    return channel


def sender_of(update: Update) -> str | None:
    """The sender's id as the core's `user` (in a private chat, also the chat's id)."""
    sender = update.effective_sender
    if sender is None:
        return None
    return str(sender.id)


def _chat_and_user(update: Update) -> tuple[int, str]:
    chat, user = update.effective_chat, sender_of(update)
    assert chat is not None and user is not None  # the gatekeeper let through only these
    return chat.id, user


def _quote(update: Update) -> int | None:
    """In a group, answer as a reply to the message, so the thread stays readable."""
    message = update.message
    if message is not None and message.chat.type in GROUP_TYPES:
        return message.message_id
    return None


def addressed_to_bot(message: Message, username: str | None, bot_id: int) -> bool:
    """Always in a private chat; in a group, a command (not another bot's), an @mention,
    or a reply to one of the bot's messages."""
    if message.chat.type not in GROUP_TYPES:
        return True
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    text = message.text or message.caption or ""
    if text.startswith("/"):
        target = text.split()[0].partition("@")[2]
        return not target or (username is not None and target.lower() == username.lower())
    entities = message.parse_entities() if message.text else message.parse_caption_entities()
    mention = f"@{username}".lower() if username else None
    for entity, value in entities.items():
        if entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            return True
        if entity.type == MessageEntity.MENTION and value.lower() == mention:
            return True
    return False


def strip_mention(text: str, username: str) -> str:
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).strip()


def admitted_text(update: Update, callbacks: CallbackTable, username: str | None = None) -> str:
    """What the admission policy reads (handlers.admission): a button's payload, or the
    message's words (a "/xoa@bot" command read as "/xoa"), in a group without the bot's
    @mention: the text the core will answer, so that its reading is the core's too."""
    if update.callback_query is not None:
        return callbacks.payload_for(update.callback_query.data or "") or ""
    message = update.message or update.edited_message
    text = (message.text or message.caption or "") if message else ""
    if message is not None and message.chat.type in GROUP_TYPES and username:
        text = strip_mention(text, username)
    return re.sub(r"^(/\w+)@\w+", r"\1", text)


# The update's MessageReading, made by the gatekeeper, reused by the handler that answers.
_READING = "childsafe_reading"


def gatekeeper_reading(context: Context) -> MessageReading | None:
    """The gatekeeper's reading of this update (the core checks that it reads the same text)."""
    found = getattr(context, _READING, None)
    return found if isinstance(found, MessageReading) else None


def attachment_kind(message: Message) -> str | None:
    for kind in texts.ATTACHMENT_NAMES:
        if getattr(message, kind, None):
            return kind
    return None
