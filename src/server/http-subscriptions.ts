// Subscriptions are served over WebSocket only. Apollo would otherwise execute a subscription
// sent over HTTP as a query and answer "Cannot return null for non-nullable field", which tells
// a user nothing; this plugin answers with where to go instead.

import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

export const refuseHttpSubscriptions: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation }) {
        if (operation?.operation === 'subscription') {
          throw new GraphQLError('subscriptions are served over WebSocket (graphql-transport-ws protocol) on this same URL, not over HTTP', {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        }
      },
    };
  },
};
