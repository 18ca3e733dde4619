import { Type, type Static } from 'typebox';

/*
 * ChatGPT's data export (`conversations.json`): an array of conversations, each a tree of nodes in `mapping`.
 * Only what an import reads is described; every object may carry more (ChatGPT adds fields over time).
 */

const open = { additionalProperties: true };
const NullableString = Type.Union([Type.String(), Type.Null()]);
const EpochSeconds = Type.Union([Type.Number({ description: 'Unix time in seconds' }), Type.Null()]);

export const ChatGptMessage = Type.Object(
  {
    author: Type.Object({ role: Type.String({ description: 'user, assistant, system or tool' }) }, open),
    content: Type.Object(
      {
        content_type: Type.String({ description: 'text, multimodal_text, code, thoughts, …' }),
        parts: Type.Optional(Type.Array(Type.Unknown(), { description: 'Text, or objects (images, audio)' })),
      },
      open,
    ),
    create_time: Type.Optional(EpochSeconds),
    update_time: Type.Optional(EpochSeconds),
    status: Type.Optional(Type.String()),
    recipient: Type.Optional(NullableString),
    channel: Type.Optional(NullableString),
    weight: Type.Optional(Type.Number()),
    metadata: Type.Optional(
      Type.Object(
        {
          model_slug: Type.Optional(NullableString),
          finish_details: Type.Optional(
            Type.Union([
              Type.Object(
                { type: Type.Optional(Type.String({ description: 'stop, max_tokens or interrupted' })) },
                open,
              ),
              Type.Null(),
            ]),
          ),
          is_visually_hidden_from_conversation: Type.Optional(Type.Union([Type.Boolean(), Type.Null()])),
        },
        open,
      ),
    ),
  },
  open,
);

export const ChatGptNode = Type.Object(
  {
    message: Type.Optional(Type.Union([ChatGptMessage, Type.Null()])),
    parent: Type.Optional(Type.Union([Type.String({ description: 'The key of the parent node' }), Type.Null()])),
    children: Type.Optional(Type.Array(Type.String())),
  },
  open,
);

export const ChatGptConversation = Type.Object(
  {
    title: Type.Optional(NullableString),
    create_time: Type.Optional(EpochSeconds),
    update_time: Type.Optional(EpochSeconds),
    current_node: Type.Optional(
      Type.Union([Type.String({ description: 'The key of the node the conversation shows last' }), Type.Null()]),
    ),
    mapping: Type.Record(Type.String(), ChatGptNode, { description: 'Every node of the tree, by key' }),
    id: Type.Optional(NullableString),
    conversation_id: Type.Optional(NullableString),
  },
  open,
);

export const ChatGptExport = Type.Array(ChatGptConversation, {
  minItems: 1,
  title: 'ChatGptConversations',
  description: "ChatGPT's conversations.json (Settings > Data controls > Export data), as it is in the zip",
});

export type ChatGptExport = Static<typeof ChatGptExport>;
export type ChatGptConversation = Static<typeof ChatGptConversation>;
export type ChatGptNode = Static<typeof ChatGptNode>;
export type ChatGptMessage = Static<typeof ChatGptMessage>;
