import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiResponse } from '@nestjs/swagger';
import { EXAMPLES } from '../common/openapi-examples';
import type { ClusterView } from '@podsync/bus';
import { ClusterService } from './cluster.service';
import { RequireRole } from '@podsync/platform';

@ApiTags('cluster')
@Controller('api/v1/cluster')
@RequireRole('reader')
export class ClusterController {
  constructor(private readonly cluster: ClusterService) {}

  @Get()
  @ApiOperation({ summary: 'The leader, the replicas, the last round, paused and guarded' })
  @ApiResponse({ status: 200, example: EXAMPLES.cluster })
  view(): Promise<ClusterView> {
    return this.cluster.view();
  }
}
