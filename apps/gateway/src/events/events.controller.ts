import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RawResponse, RequireRole, ZodPipe } from '@podsync/platform';
import { EXAMPLES } from '../common/openapi-examples';
import { type EventCursor, lastEventIdSchema } from './event-cursor';
import { ApiQueryFrom } from '../common/openapi';
import { type EventStreamQuery, eventStreamQuerySchema } from './event-stream.query';
import { EventStreamService } from './event-stream.service';
import { LastEventId } from './last-event-id.decorator';

@ApiTags('events')
@Controller('api/v1/events')
@RequireRole('reader')
export class EventsController {
  constructor(private readonly events: EventStreamService) {}

  @Get('stream')
  @RawResponse()
  @ApiOperation({
    summary:
      'Server-Sent Events: pod operations, pod status changes, leader changes and finished rounds. ' +
      'Each event has an id; reconnecting with Last-Event-ID resumes after it. A `: ping` comment comes every 15 s.',
  })
  @ApiProduces('text/event-stream')
  @ApiQueryFrom(eventStreamQuerySchema)
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'the id of the last event received: resume after it' })
  @ApiResponse({ status: 200, description: 'text/event-stream', example: EXAMPLES.eventStream })
  @ApiResponse({ status: 400, example: EXAMPLES.eventStreamTypesError })
  stream(
    @Query(new ZodPipe(eventStreamQuerySchema, 'query')) query: EventStreamQuery,
    @LastEventId(new ZodPipe(lastEventIdSchema, 'header')) resumeFrom: EventCursor | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.events.stream(query, resumeFrom, reply);
  }
}
