import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  AlgorithmCatalogue,
  DEFAULT_ALGORITHMS,
  type Page,
  type PodsQuery,
  podsQuerySchema,
  type PodView,
} from '@podsync/domain';
import { RequireRole } from '@podsync/platform';
import { ApiQueryFrom } from '../common/openapi';
import { EXAMPLES } from '../common/openapi-examples';
import { PodsQueryPipe } from './pods-query.pipe';
import { PodsService } from './pods.service';

@ApiTags('pods')
@Controller('api/v1/pods')
@RequireRole('reader')
export class PodsController {
  constructor(private readonly pods: PodsService) {}

  @Get()
  @ApiOperation({ summary: 'Every managed pod with its health, keyset-paginated by name; ready=false lists the unhealthy' })
  @ApiQueryFrom(podsQuerySchema(new AlgorithmCatalogue(DEFAULT_ALGORITHMS)))
  @ApiResponse({ status: 200, example: EXAMPLES.pods })
  @ApiResponse({ status: 400, example: EXAMPLES.podsQueryError })
  list(@Query(PodsQueryPipe) query: PodsQuery): Promise<Page<PodView>> {
    return this.pods.list(query);
  }
}
