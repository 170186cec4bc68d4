import { applyDecorators, Catch, RpcExceptionFilter, UseFilters } from '@nestjs/common';
import {
  BaseRpcContext,
  CustomTransportStrategy,
  EventPattern,
  Server,
} from '@nestjs/microservices';
import { lastValueFrom, Observable, throwError } from 'rxjs';
import { EntityManager } from 'typeorm';
import { MessageType } from '@yipanqi/contracts';
import { RecordRefusals } from './bulk-records';
import { ExchangeNode } from './exchange-node';
import { InboxHandler, InboxHandlers, ReceivedMessage } from './inbox-processor';

/** What an @EventPattern handler gets besides the message: the transaction to write its effects in. */
export class ExchangeContext extends BaseRpcContext<[EntityManager]> {
  get manager(): EntityManager {
    return this.args[0];
  }
}

/**
 * Nest transport over the exchange: one-way messages only. Domain code
 * declares `@EventPattern('<message type>')` handlers; this transport calls
 * them inside the inbox transaction (with an ExchangeContext), batch by batch
 * (kafkajs eachBatch), instead of Nest's per-message Kafka server. There is
 * no request/reply: answers are messages of their own.
 */
export class ExchangeTransport extends Server implements CustomTransportStrategy, InboxHandlers {
  private readonly handlers = new Map<string, InboxHandler | undefined>();

  constructor(private readonly exchange: ExchangeNode) {
    super();
  }

  listen(callback: (...optionalParams: unknown[]) => void): void {
    this.exchange.consume(this).then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  async close(): Promise<void> {
    await this.exchange.stop();
  }

  handlerFor(type: string): InboxHandler | undefined {
    // Handlers are all registered before listen(); Nest's lookup by pattern is
    // costly (it tries to parse every pattern as JSON), so look up once per type.
    if (!this.handlers.has(type)) this.handlers.set(type, this.findHandler(type));
    return this.handlers.get(type);
  }

  private findHandler(type: string): InboxHandler | undefined {
    const handler = this.getHandlerByPattern(type);
    if (!handler) return undefined;
    return async (manager: EntityManager, message: ReceivedMessage) => {
      const result: unknown = await handler(message, new ExchangeContext([manager]));
      const value: unknown = await lastValueFrom(this.transformToObservable(result), {
        defaultValue: undefined,
      });
      return value instanceof RecordRefusals ? value : undefined;
    };
  }

  on(): void {
    throw new Error('ExchangeTransport has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.exchange as T;
  }
}

/**
 * Hands a handler's error back to the inbox processor unchanged. Nest's
 * default RPC filter would replace it with "Internal server error", and the
 * dead letter must say what actually failed.
 */
@Catch()
class ExchangeErrorPassthrough implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/** A controller method that handles messages of type T. */
export type ExchangeHandlerMethod<T extends MessageType, R = unknown> = (
  message: ReceivedMessage<T>,
  ctx: ExchangeContext,
) => R;

/**
 * Marks the handler of one message type: Nest's `@EventPattern(type)`, with
 * the handler's errors passed on as they are (a global filter cannot do it:
 * Nest binds a connected microservice's filters before they could be set).
 * The method must take `ReceivedMessage<type>` (or a union that includes it):
 * the inbox dispatches by type, so that is exactly what it will receive.
 */
export function ExchangeHandler<T extends MessageType>(type: T) {
  const decorate = applyDecorators(EventPattern(type), UseFilters(ExchangeErrorPassthrough));
  return <R>(
    target: object,
    key: string | symbol,
    descriptor: TypedPropertyDescriptor<ExchangeHandlerMethod<T, R>>,
  ): void => decorate(target, key, descriptor);
}
